--TEST--
incident.event: the valid fixture passes, each invalid fixture fails at the broken rule with a message naming it
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
check_kind('incident.event', [
    'invalid-attachments-empty' => 'attachments',
    'invalid-error-attempt-zero' => 'attempt',
    'invalid-error-missing-attempt' => 'attempt',
    'invalid-link-additional-property' => 'label',
    'invalid-missing-summary' => 'summary',
    'invalid-schemaref-unknown-definition' => ['payloadIncident', 'incident.event'],
    'invalid-severity-enum' => '"high"',
]);
?>
--EXPECT--
valid: 0 violation(s), with headers: 0
invalid-attachments-empty:
  /attachments [minItems]
invalid-error-attempt-zero:
  /error [anyOf]
  /error/attempt [minimum]
invalid-error-missing-attempt:
  /error [anyOf]
  /error [required]
invalid-link-additional-property:
  /payload/links/0 [additionalProperties]
invalid-missing-summary:
  /payload [required]
invalid-schemaref-unknown-definition:
  /provenance/schemaRef [schemaRef]
invalid-severity-enum:
  /payload/severity [enum]
