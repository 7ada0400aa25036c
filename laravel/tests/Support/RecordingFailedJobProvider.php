<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use Illuminate\Queue\Failed\FailedJobProviderInterface;

/** Stands in for the failed_jobs table: `queue:work` logs every failed job here. */
final class RecordingFailedJobProvider implements FailedJobProviderInterface
{
    /** @var list<array{connection: string, queue: string, payload: string, exception: \Throwable}> */
    public array $logged = [];

    public function log($connection, $queue, $payload, $exception)
    {
        $this->logged[] = ['connection' => $connection, 'queue' => $queue, 'payload' => $payload, 'exception' => $exception];

        return count($this->logged);
    }

    public function all()
    {
        return $this->logged;
    }

    public function find($id)
    {
        return $this->logged[$id - 1] ?? null;
    }

    public function forget($id)
    {
        unset($this->logged[$id - 1]);

        return true;
    }

    public function flush($hours = null) // Laravel 10 added $hours; Laravel 8 has none
    {
        $this->logged = [];
    }
}
