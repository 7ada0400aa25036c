--TEST--
auth.provider: the valid fixture passes, each invalid fixture fails at the broken rule with a message naming it
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
check_kind('auth.provider', [
    'invalid-connectorKey-pattern' => 'IdP_Health',
    'invalid-emittedAt-impossible-date' => '2026-02-30T10:00:00Z',
    'invalid-envelope-additional-property' => 'headers',
    'invalid-missing-checkedAt' => 'checkedAt',
    'invalid-providerKey-pattern' => 'Okta',
    'invalid-schemaref-other-kind' => ['payloadCyberMetric', 'auth.provider'],
    'invalid-status-enum' => 'down',
]);
?>
--EXPECT--
valid: 0 violation(s), with headers: 0
invalid-connectorKey-pattern:
  /connectorKey [pattern]
invalid-emittedAt-impossible-date:
  /emittedAt [format]
invalid-envelope-additional-property:
  (root) [additionalProperties]
invalid-missing-checkedAt:
  /payload [required]
invalid-providerKey-pattern:
  /payload/providerKey [pattern]
invalid-schemaref-other-kind:
  /provenance/schemaRef [schemaRef]
invalid-status-enum:
  /payload/status [enum]
