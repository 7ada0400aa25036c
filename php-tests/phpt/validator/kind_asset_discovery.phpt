--TEST--
asset.discovery: the valid fixture passes, each invalid fixture fails at the broken rule with a message naming it
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
check_kind('asset.discovery', [
    'invalid-attribute-object' => 'owner',
    'invalid-environment-enum' => 'prod',
    'invalid-id-pattern' => '01jpbk4y8r3n6v0w2x5z7c9d1f',
    'invalid-missing-tags' => 'tags',
    'invalid-payload-additional-property' => 'owner',
    'invalid-schemaref-other-kind' => ['payloadAssetLifecycle', 'asset.discovery'],
    'invalid-tags-unique' => 'tags',
]);
?>
--EXPECT--
valid: 0 violation(s), with headers: 0
invalid-attribute-object:
  /payload/attributes/owner [type]
invalid-environment-enum:
  /payload/environment [enum]
invalid-id-pattern:
  /id [pattern]
invalid-missing-tags:
  /payload [required]
invalid-payload-additional-property:
  /payload [additionalProperties]
invalid-schemaref-other-kind:
  /provenance/schemaRef [schemaRef]
invalid-tags-unique:
  /payload/tags [uniqueItems]
