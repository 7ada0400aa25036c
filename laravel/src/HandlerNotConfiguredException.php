<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel;

/** `integration-bus.handlers` has no handler for an envelope's kind. */
final class HandlerNotConfiguredException extends \RuntimeException
{
    public static function forKind(string $kind): self
    {
        return new self(sprintf('No handler is configured for kind [%s] in integration-bus.handlers.', $kind));
    }
}
