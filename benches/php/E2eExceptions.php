<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Illuminate\Contracts\Debug\ExceptionHandler;
use Throwable;

/** The Worker reports a job's exception here (a real app has App\Exceptions\Handler); the child fails on any. */
final class E2eExceptions implements ExceptionHandler
{
    /** @var list<string> */
    public array $reported = [];

    public function report(Throwable $e)
    {
        $this->reported[] = get_class($e) . ': ' . $e->getMessage();
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
