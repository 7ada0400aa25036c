--TEST--
vendor.profile: the valid fixture passes, each invalid fixture fails at the broken rule with a message naming it
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
check_kind('vendor.profile', [
    'invalid-contact-email' => 'security-at-northwind',
    'invalid-missing-contacts' => 'contacts',
    'invalid-riskScore-maximum' => '101',
    'invalid-schemaref-other-kind' => ['payloadAssetDiscovery', 'vendor.profile'],
    'invalid-services-empty' => 'services',
    'invalid-tenantId-pattern' => 'acme',
]);
?>
--EXPECT--
valid: 0 violation(s), with headers: 0
invalid-contact-email:
  /payload/contacts/1/email [format]
invalid-missing-contacts:
  /payload [required]
invalid-riskScore-maximum:
  /payload/riskScore [maximum]
invalid-schemaref-other-kind:
  /provenance/schemaRef [schemaRef]
invalid-services-empty:
  /payload/services [minItems]
invalid-tenantId-pattern:
  /tenantId [pattern]
