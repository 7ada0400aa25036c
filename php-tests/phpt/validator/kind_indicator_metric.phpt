--TEST--
indicator.metric: the valid fixture passes, each invalid fixture fails at the broken rule with a message naming it
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
check_kind('indicator.metric', [
    'invalid-context-value-type' => 'region',
    'invalid-indicatorKey-pattern' => 'Patch SLA',
    'invalid-schemaRef-format' => 'integration-bus-envelope.schema.json#/$defs/payloadIndicatorMetric',
    'invalid-threshold-direction-enum' => 'over',
    'invalid-value-type' => '"value"',
    'invalid-window-pattern' => '30 days',
]);
?>
--EXPECT--
valid: 0 violation(s), with headers: 0
invalid-context-value-type:
  /payload/context/region [type]
invalid-indicatorKey-pattern:
  /payload/indicatorKey [pattern]
invalid-schemaRef-format:
  /provenance/schemaRef [format]
invalid-threshold-direction-enum:
  /payload/threshold/direction [enum]
invalid-value-type:
  /payload/value [type]
invalid-window-pattern:
  /payload/window [pattern]
