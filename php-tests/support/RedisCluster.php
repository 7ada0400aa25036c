<?php

declare(strict_types=1);

namespace PhpGrc\Bus\TestSupport;

use RuntimeException;

/**
 * A local Redis Cluster of `$masters` masters (no replicas): one RedisServer per node, joined
 * with `redis-cli --cluster create`, stopped by pid with its nodes.
 */
final class RedisCluster
{
    /** @param list<RedisServer> $nodes */
    private function __construct(public readonly array $nodes)
    {
    }

    public static function start(int $masters = 3): self
    {
        $nodes = [];
        for ($i = 0; $i < $masters; $i++) {
            $nodes[] = RedisServer::start(['cluster' => true]);
        }
        $cluster = new self($nodes);
        $command = 'redis-cli --cluster create ' . implode(' ', array_map('escapeshellarg', $cluster->seeds()))
            . ' --cluster-replicas 0 --cluster-yes < /dev/null 2>&1';
        exec($command, $output, $status);
        if ($status !== 0) {
            $cluster->stop();
            throw new RuntimeException("redis-cli --cluster create failed:\n" . implode("\n", $output));
        }
        $cluster->waitUntilReady();

        return $cluster;
    }

    /** @return list<string> every node as `127.0.0.1:port` */
    public function seeds(): array
    {
        return array_map(static fn (RedisServer $n) => "127.0.0.1:{$n->port}", $this->nodes);
    }

    /**
     * The nodes as Laravel's `database.redis.clusters.<name>` lists them.
     *
     * @return list<array<string, string>>
     */
    public function laravelNodes(): array
    {
        return array_map(static fn (RedisServer $n) => ['host' => '127.0.0.1', 'port' => (string) $n->port, 'timeout' => '2', 'read_timeout' => '5'], $this->nodes);
    }

    /** A phpredis cluster client. */
    public function client(): \RedisCluster
    {
        return new \RedisCluster(null, $this->seeds(), 2.0, 5.0);
    }

    public function stop(): void
    {
        foreach ($this->nodes as $node) {
            $node->stop();
        }
    }

    private function waitUntilReady(): void
    {
        $deadline = microtime(true) + 30.0;
        while (microtime(true) < $deadline) {
            $ready = true;
            foreach ($this->nodes as $node) {
                $info = (string) $node->client()->rawCommand('CLUSTER', 'INFO');
                $ready = $ready && str_contains($info, 'cluster_state:ok')
                    && str_contains($info, 'cluster_known_nodes:' . count($this->nodes));
            }
            if ($ready) {
                return;
            }
            usleep(100_000);
        }
        $this->stop();

        throw new RuntimeException('the test cluster did not become ready');
    }
}
