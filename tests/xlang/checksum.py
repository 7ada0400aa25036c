"""SHA-256 of each payload's RFC 8785 form by PyPI `rfc8785`: JSON texts on stdin, one a line;
a hex checksum (or "ERROR <why>") per line on stdout."""
import hashlib
import json
import sys

import rfc8785

# split("\n"), not splitlines(): U+2028 inside a string is not a line break here.
lines = [line for line in sys.stdin.buffer.read().decode("utf-8").split("\n") if line]
for line in lines:
    try:
        print(hashlib.sha256(rfc8785.dumps(json.loads(line))).hexdigest())
    except Exception as e:  # noqa: BLE001 - every refusal is reported, not raised
        print(f"ERROR {type(e).__name__}: {e}")
