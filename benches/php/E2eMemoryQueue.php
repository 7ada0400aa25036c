<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use Illuminate\Container\Container;
use Illuminate\Contracts\Queue\Job as JobContract;
use Illuminate\Contracts\Queue\Queue as QueueContract;
use Illuminate\Queue\Connectors\ConnectorInterface;
use Illuminate\Queue\Jobs\Job;
use Illuminate\Queue\Queue;

/**
 * The `floor` consumer (the ceiling row of the e2e report): a queue that holds its jobs in PHP
 * memory, so pop and delete cost nothing. The stock Worker drains it through our EnvelopeJob
 * exactly as it drains our driver, which shows what a job costs with a bus that costs nothing:
 * the Worker loop, its events, the job, the log line (the counters, which ride on our acks, are
 * sent nowhere: E2eChild). No bus can make a consumer faster than that.
 */
final class E2eMemoryQueue extends Queue implements QueueContract, ConnectorInterface
{
    /** @var list<string> raw job payloads, in order */
    private array $jobs = [];
    private int $next = 0;

    public function connect(array $config)
    {
        return $this;
    }

    public function size($queue = null)
    {
        return count($this->jobs) - $this->next;
    }

    /** @param array<string, mixed> $job an envelope */
    public function push($job, $data = '', $queue = null)
    {
        $this->jobs[] = json_encode([
            'uuid' => (string) count($this->jobs), 'displayName' => \PhpGrc\Bus\Laravel\EnvelopeJob::class,
            'job' => \PhpGrc\Bus\Laravel\EnvelopeJob::HANDLER, 'maxTries' => 5, 'data' => $job,
            'headers' => \PhpGrc\Bus\Envelope::headers($job), 'attempts' => 0,
        ], JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);

        return (string) (count($this->jobs) - 1);
    }

    public function bulk($jobs, $data = '', $queue = null)
    {
        foreach ($jobs as $job) {
            $this->push($job);
        }
    }

    public function pushRaw($payload, $queue = null, array $options = [])
    {
        $this->jobs[] = $payload;
    }

    public function later($delay, $job, $data = '', $queue = null)
    {
        return $this->push($job);
    }

    public function pop($queue = null)
    {
        if ($this->next >= count($this->jobs)) {
            return null;
        }
        $raw = $this->jobs[$this->next];
        $this->jobs[$this->next] = '';

        return new E2eMemoryJob($this->container, $raw, (string) $this->next++, $this->connectionName, (string) $queue);
    }
}

/** A job of E2eMemoryQueue: its payload decoded once, as our IntegrationBusJob does; delete() has nothing to remove. */
final class E2eMemoryJob extends Job implements JobContract
{
    /** @var array<string, mixed> */
    private readonly array $decoded;

    public function __construct(Container $container, private readonly string $raw, private readonly string $id, string $connectionName, string $queue)
    {
        $this->container = $container;
        $this->connectionName = $connectionName;
        $this->queue = $queue;
        $this->decoded = json_decode($raw, true, 512, JSON_THROW_ON_ERROR);
    }

    public function attempts()
    {
        return 1;
    }

    public function getJobId()
    {
        return $this->id;
    }

    public function getRawBody()
    {
        return $this->raw;
    }

    public function payload()
    {
        return $this->decoded;
    }
}
