<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use Illuminate\Contracts\Debug\ExceptionHandler;
use Throwable;

/** The Worker reports every job exception here. */
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
        $output->writeln(get_class($e) . ': ' . $e->getMessage());
    }
}
