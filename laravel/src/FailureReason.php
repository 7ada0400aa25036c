<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel;

use Illuminate\Queue\MaxAttemptsExceededException;
use PhpGrc\Bus\ValidationException;
use Throwable;

/**
 * The `code` and `message` of the contract's `error` object for a failure, so the log line and the
 * annotation the queue writes agree. Codes are stable; the message names the exception class.
 */
final class FailureReason
{
    public const VALIDATION_FAILED = 'VALIDATION_FAILED';
    public const HANDLER_NOT_CONFIGURED = 'HANDLER_NOT_CONFIGURED';
    public const MAX_ATTEMPTS_EXCEEDED = 'MAX_ATTEMPTS_EXCEEDED';
    public const FAILED_MANUALLY = 'FAILED_MANUALLY';
    public const HANDLER_EXCEPTION = 'HANDLER_EXCEPTION';

    private function __construct(public readonly string $code, public readonly string $message)
    {
    }

    /** @param Throwable|null $e null: the job was failed without an exception */
    public static function of(?Throwable $e): self
    {
        if ($e === null) {
            return new self(self::FAILED_MANUALLY, 'The job was marked as failed.');
        }

        $code = match (true) {
            $e instanceof ValidationException => self::VALIDATION_FAILED,
            $e instanceof HandlerNotConfiguredException => self::HANDLER_NOT_CONFIGURED,
            $e instanceof MaxAttemptsExceededException => self::MAX_ATTEMPTS_EXCEEDED,
            default => self::HANDLER_EXCEPTION,
        };
        $message = $e->getMessage() === '' ? get_class($e) : get_class($e) . ': ' . $e->getMessage();

        return new self($code, $message);
    }
}
