// SHA-256 of each payload's RFC 8785 form by npm `canonicalize`: JSON texts on stdin, one a
// line; a hex checksum (or "ERROR <why>") per line on stdout. argv[2]: the directory holding
// node_modules/ (build/xlang/node).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(process.argv[2], 'node_modules', 'canonicalize');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const entry = manifest.exports?.['.']?.import ?? manifest.main;
const { default: canonicalize } = await import(pathToFileURL(join(root, entry)).href);

const lines = readFileSync(0, 'utf8').split('\n').filter((line) => line !== '');
const out = lines.map((line) => {
  try {
    return createHash('sha256').update(canonicalize(JSON.parse(line)), 'utf8').digest('hex');
  } catch (e) {
    return `ERROR ${e.message}`;
  }
});
process.stdout.write(out.join('\n') + '\n');
