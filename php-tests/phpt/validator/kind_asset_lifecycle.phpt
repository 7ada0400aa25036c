--TEST--
asset.lifecycle: the valid fixture passes, each invalid fixture fails at the broken rule with a message naming it
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
check_kind('asset.lifecycle', [
    'invalid-effectiveAt-impossible-date' => '2026-02-30T10:00:00Z',
    'invalid-missing-effectiveAt' => 'effectiveAt',
    'invalid-priority-enum' => 'urgent',
    'invalid-reason-too-long' => 'reason',
    'invalid-schemaref-no-fragment' => ['payloadAssetLifecycle', 'asset.lifecycle'],
    'invalid-status-enum' => 'archived',
]);
?>
--EXPECT--
valid: 0 violation(s), with headers: 0
invalid-effectiveAt-impossible-date:
  /payload/effectiveAt [format]
invalid-missing-effectiveAt:
  /payload [required]
invalid-priority-enum:
  /priority [enum]
invalid-reason-too-long:
  /payload/reason [maxLength]
invalid-schemaref-no-fragment:
  /provenance/schemaRef [schemaRef]
invalid-status-enum:
  /payload/status [enum]
