--TEST--
cyber.metric: the valid fixture passes, each invalid fixture fails at the broken rule with a message naming it
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
check_kind('cyber.metric', [
    'invalid-attachment-uri-relative' => 'reports/88213.pdf',
    'invalid-correlationId-pattern' => 'corr-123',
    'invalid-metrics-value-type' => 'cvssMax',
    'invalid-observedAt-impossible-month' => '2026-13-01T06:30:00Z',
    'invalid-residualRisk-maximum' => '1.5',
    'invalid-sourceType-enum' => 'edr',
]);
?>
--EXPECT--
valid: 0 violation(s), with headers: 0
invalid-attachment-uri-relative:
  /attachments/0/uri [format]
invalid-correlationId-pattern:
  /provenance/correlationId [pattern]
invalid-metrics-value-type:
  /payload/metrics/cvssMax [type]
invalid-observedAt-impossible-month:
  /payload/observedAt [format]
invalid-residualRisk-maximum:
  /payload/residualRisk [maximum]
invalid-sourceType-enum:
  /payload/sourceType [enum]
