<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Queue;

use Illuminate\Contracts\Config\Repository as Config;
use Illuminate\Contracts\Redis\Factory as RedisFactory;
use Illuminate\Queue\Connectors\ConnectorInterface;
use Illuminate\Queue\RedisQueue;
use InvalidArgumentException;
use PhpGrc\Bus\Laravel\EnvelopeJob;
use PhpGrc\Bus\Queue as NativeQueue;

/**
 * Builds the `integration-bus` driver's queue from a config/queue.php connection such as
 * `['driver' => 'integration-bus', 'connection' => 'default', 'queue' => 'integration-bus',
 * 'retry_after' => 900, 'block_for' => null]` (plus, opt-in, `'prefetch' => 16, 'ack' => 'deferred'`). The Redis server, credentials, database and key
 * prefix come from `database.redis.<connection>`, the same place Laravel's `redis` driver reads,
 * so both drivers see the same keys. The contract settings come from config/integration-bus.php;
 * the connection may override any of them (`dlq`, `max_attempts`, `retry_seconds`, `backoff_exp`).
 */
final class IntegrationBusConnector implements ConnectorInterface
{
    public function __construct(private readonly Config $config, private readonly RedisFactory $redis)
    {
    }

    /** @param array<string, mixed> $config the queue connection */
    public function connect(array $config)
    {
        $settings = array_merge((array) $this->config->get('integration-bus', []), $config);
        $redisName = (string) ($config['connection'] ?? 'default');
        $queue = (string) ($settings['queue'] ?? 'integration-bus');
        $retryAfter = (int) ($config['retry_after'] ?? $settings['visibility_timeout'] ?? 900);
        $maxAttempts = (int) ($settings['max_attempts'] ?? 5);
        // The worker counters live on this Redis connection too (the default): the extension
        // writes them with each ack and fail instead of a round trip of their own.
        $counters = ($settings['metrics']['connection'] ?? 'default') === $redisName
            ? (string) ($settings['metrics']['key'] ?? 'integration-bus:counters')
            : null;

        $native = new NativeQueue($this->redisConnection($redisName), array_filter([
            'queue' => $queue,
            'dlq' => $settings['dlq'] ?? null,
            'max_attempts' => $maxAttempts,
            'retry_seconds' => isset($settings['retry_seconds']) ? (int) $settings['retry_seconds'] : null,
            'backoff_exp' => isset($settings['backoff_exp']) ? (int) $settings['backoff_exp'] : null,
            'retry_after' => $retryAfter,
            'block_for' => isset($config['block_for']) ? (int) $config['block_for'] : null,
            'prefix' => $this->prefix($redisName),
            'job' => EnvelopeJob::HANDLER,
            'strict' => (bool) ($settings['strict'] ?? false),
            // TLS (a database.redis connection with 'scheme' => 'tls' or a rediss:// url): PEM files.
            'tls_ca' => $config['tls_ca'] ?? null,
            'tls_cert' => $config['tls_cert'] ?? null,
            'tls_key' => $config['tls_key'] ?? null,
            // Durability and Redis Cluster failover (see the extension's README).
            'wait_replicas' => isset($config['wait_replicas']) ? (int) $config['wait_replicas'] : null,
            'wait_timeout' => $config['wait_timeout'] ?? null,
            'failover_timeout' => $config['failover_timeout'] ?? null,
            // Microseconds to poll for a reply before sleeping on the socket (0: never poll).
            'busy_poll' => isset($config['busy_poll']) ? (int) $config['busy_poll'] : null,
            // Opt-in throughput (see the extension's README): jobs reserved per pop round trip,
            // and 'deferred' acks written with the next round trip instead of their own.
            'prefetch' => isset($config['prefetch']) ? (int) $config['prefetch'] : null,
            'ack' => $config['ack'] ?? null,
            'counters' => $counters,
        ], static fn ($value) => $value !== null));

        $laravelJobs = new RedisQueue(
            $this->redis,
            $queue,
            $redisName,
            $retryAfter,
            null,
            $config['after_commit'] ?? null,
        );

        return new IntegrationBusQueue($native, $laravelJobs, $queue, $maxAttempts, $counters !== null);
    }

    /**
     * The `database.redis.<name>` array (host, port, username, password, database, timeout,
     * read_timeout), or its `url` when it has one, as the extension's Queue takes them. A name
     * found under `database.redis.clusters` instead gives Redis Cluster mode: its node list
     * (settings from the first node), queue names then need a hash tag such as `{integration-bus}`.
     *
     * @return string|array<int|string, mixed>
     */
    private function redisConnection(string $name): string|array
    {
        $connection = $this->config->get("database.redis.{$name}");
        if (! is_array($connection)) {
            $nodes = $this->config->get("database.redis.clusters.{$name}");
            if (is_array($nodes)) {
                unset($nodes['options']);

                return array_values(array_map(
                    static fn ($node) => is_array($node) ? array_filter($node, static fn ($value) => $value !== null) : $node,
                    $nodes,
                ));
            }
            throw new InvalidArgumentException("Redis connection [{$name}] is not configured in database.redis or database.redis.clusters.");
        }

        $url = $connection['url'] ?? null;
        if (is_string($url) && $url !== '') {
            return $url;
        }

        unset($connection['url'], $connection['prefix']);

        return array_filter($connection, static fn ($value) => $value !== null);
    }

    /**
     * Laravel's rule: the connection's own prefix, else the shared `database.redis.options.prefix`;
     * for a cluster, its own `options.prefix`, else `clusters.options.prefix`, else the shared one.
     */
    private function prefix(string $name): string
    {
        if (! is_array($this->config->get("database.redis.{$name}")) && is_array($this->config->get("database.redis.clusters.{$name}"))) {
            return (string) ($this->config->get("database.redis.clusters.{$name}.options.prefix")
                ?? $this->config->get('database.redis.clusters.options.prefix')
                ?? $this->config->get('database.redis.options.prefix', ''));
        }

        return (string) ($this->config->get("database.redis.{$name}.prefix")
            ?? $this->config->get('database.redis.options.prefix', ''));
    }
}
