<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use JsonSchema\Constraints\Factory;
use JsonSchema\SchemaStorage;
use JsonSchema\Validator;

/**
 * justinrainbow/json-schema (Debian's php-json-schema) with the contract schema registered once
 * under its `$id`; each check validates against a `$ref` to it, so no call re-reads or re-expands
 * the schema. It implements drafts 3/4 (and parts of 6): the draft 2020-12 keywords it does not
 * know are ignored, and it has no per-kind rules.
 */
final class JustinRainbow
{
    private Validator $validator;
    private object $ref;

    public static function available(): bool
    {
        if (!class_exists(Validator::class, false) && is_file('/usr/share/php/JsonSchema/autoload.php')) {
            require_once '/usr/share/php/JsonSchema/autoload.php';
        }

        return class_exists(Validator::class);
    }

    public function __construct(string $schemaFile)
    {
        $schema = json_decode((string) file_get_contents($schemaFile), false, 512, JSON_THROW_ON_ERROR);
        $id = $schema->{'$id'} ?? 'urn:phpgrc:integration-bus-envelope';
        $storage = new SchemaStorage();
        $storage->addSchema($id, $schema);
        $this->validator = new Validator(new Factory($storage));
        $this->ref = (object) ['$ref' => $id];
    }

    /** Whether the decoded (stdClass) envelope passes; errors are collected as the library does. */
    public function isValid(object $envelope): bool
    {
        $this->validator->reset();
        $this->validator->validate($envelope, $this->ref);

        return $this->validator->isValid();
    }

    /** @return list<array<string, mixed>> */
    public function errors(object $envelope): array
    {
        $this->isValid($envelope);

        return $this->validator->getErrors();
    }
}
