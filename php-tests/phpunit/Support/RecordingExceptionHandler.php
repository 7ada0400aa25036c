<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests\Support;

use Illuminate\Contracts\Debug\ExceptionHandler;
use Throwable;

/** Laravel's exception handler for the Worker: keeps what it is asked to report. */
final class RecordingExceptionHandler implements ExceptionHandler
{
    /** @var list<Throwable> */
    public array $reported = [];

    public function report(Throwable $e)
    {
        $this->reported[] = $e;
    }

    public function shouldReport(Throwable $e)
    {
        return true;
    }

    public function render($request, Throwable $e)
    {
        throw $e;
    }

    public function renderForConsole($output, Throwable $e)
    {
        $output->writeln((string) $e);
    }
}
