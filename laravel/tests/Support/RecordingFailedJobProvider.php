<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use Illuminate\Queue\Failed\FailedJobProviderInterface;

/**
 * Stands in for the failed_jobs table of Laravel's `database-uuids` driver: `queue:work` logs
 * every failed job here, and `queue:failed` / `queue:retry` read the same rows (id = the job's
 * uuid, connection, queue, payload, exception, failed_at), so those commands run unchanged.
 */
final class RecordingFailedJobProvider implements FailedJobProviderInterface
{
    /** @var list<array{id: string, connection: string, queue: string, payload: string, exception: string, failed_at: string}> oldest first */
    public array $logged = [];

    public function log($connection, $queue, $payload, $exception)
    {
        $id = (string) (json_decode($payload, true)['uuid'] ?? count($this->logged) + 1);
        $this->logged[] = [
            'id' => $id,
            'connection' => $connection,
            'queue' => $queue,
            'payload' => $payload,
            'exception' => (string) $exception,
            'failed_at' => gmdate('Y-m-d H:i:s'),
        ];

        return $id;
    }

    /** Laravel 11+: the ids of the failed jobs, of one queue when given. */
    public function ids($queue = null)
    {
        $rows = array_filter($this->logged, static fn (array $row) => $queue === null || $row['queue'] === $queue);

        return array_values(array_map(static fn (array $row) => $row['id'], array_reverse($rows)));
    }

    /** Newest first, as the database providers order them. */
    public function all()
    {
        return array_map(static fn (array $row) => (object) $row, array_reverse($this->logged));
    }

    public function find($id)
    {
        foreach ($this->logged as $row) {
            if ($row['id'] === (string) $id) {
                return (object) $row;
            }
        }

        return null;
    }

    public function forget($id)
    {
        $before = count($this->logged);
        $this->logged = array_values(array_filter($this->logged, static fn (array $row) => $row['id'] !== (string) $id));

        return count($this->logged) < $before;
    }

    public function flush($hours = null) // Laravel 10 added $hours; Laravel 8 has none
    {
        $this->logged = [];
    }
}
