<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Console;

/**
 * An input of `integration-bus:validate` could not be validated (missing, unreadable, not JSON, not
 * an object). Its message is one of the documented, stable lines of laravel/README.md.
 */
final class InputException extends \RuntimeException
{
    public static function notFound(string $label, string $path): self
    {
        return new self(sprintf('%s file not found: %s', ucfirst($label), $path));
    }

    public static function unreadable(string $label, string $path): self
    {
        return new self(sprintf('Unable to read %s file: %s', $label, $path));
    }

    public static function invalidJson(string $label, string $path): self
    {
        return new self(sprintf('Invalid JSON in %s file: %s', $label, $path));
    }

    public static function notAnObject(string $label, string $path): self
    {
        return new self(sprintf('%s JSON must decode to an object: %s', ucfirst($label), $path));
    }

    public static function badHeaderValues(string $path): self
    {
        return new self(sprintf('Headers JSON values must be strings or lists of strings: %s', $path));
    }

    public static function emptyDirectory(string $path): self
    {
        return new self(sprintf('No envelope files (*.json) in directory: %s', $path));
    }

    public static function notValidatable(string $path, string $reason): self
    {
        return new self(sprintf('Envelope cannot be validated: %s (%s)', $path, $reason));
    }
}
