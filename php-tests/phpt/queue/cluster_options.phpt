--TEST--
Redis Cluster settings from PHP: seed forms, hash-tag rule and failover_timeout checked before any I/O; var_dump shows seeds, never the password
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
use PhpGrc\Bus\Queue;

$tagged = ['queue' => '{integration-bus}', 'dlq' => '{integration-bus}:dlq'];
// No server listens on these ports: nothing here connects.
$q = new Queue(['cluster' => ['127.0.0.1:7000', 'redis://127.0.0.1:7001'], 'password' => 's3cret'], $tagged + ['failover_timeout' => 5]);
var_dump($q);
$laravel = new Queue([['host' => '127.0.0.1', 'port' => 7000, 'password' => 's3cret'], ['host' => '::1', 'port' => '7001']], $tagged);
echo implode(' ', $laravel->__debugInfo()['cluster']), "\n";
echo str_contains(print_r($laravel, true), 's3cret') ? "password shown\n" : "password hidden\n";

$attempts = [
    'untagged queue' => fn () => new Queue(['cluster' => ['127.0.0.1:7000']], []),
    'dlq in another slot' => fn () => new Queue(['cluster' => ['127.0.0.1:7000']], ['queue' => '{a}', 'dlq' => '{b}:dlq']),
    'no seeds' => fn () => new Queue(['cluster' => []], $tagged),
    'seed of the wrong type' => fn () => new Queue(['cluster' => [42]], $tagged),
    'seed with credentials' => fn () => new Queue(['cluster' => ['redis://u:p@h:1']], $tagged),
    'database other than 0' => fn () => new Queue(['cluster' => ['127.0.0.1:7000'], 'database' => 2], $tagged),
    'negative failover_timeout' => fn () => new Queue(['cluster' => ['127.0.0.1:7000']], $tagged + ['failover_timeout' => -1]),
    'timeout beyond what a Duration holds' => fn () => new Queue('redis://127.0.0.1:7000', ['timeout' => 1e30]),
];
foreach ($attempts as $what => $attempt) {
    try {
        $attempt();
        echo "$what: accepted\n";
    } catch (Throwable $e) {
        echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
    }
}
?>
--EXPECTF--
object(PhpGrc\Bus\Queue)#%d (3) {
  ["queue"]=>
  string(17) "{integration-bus}"
  ["prefix"]=>
  string(0) ""
  ["cluster"]=>
  array(2) {
    [0]=>
    string(14) "127.0.0.1:7000"
    [1]=>
    string(14) "127.0.0.1:7001"
  }
}
127.0.0.1:7000 [::1]:7001
password hidden
untagged queue: PhpGrc\Bus\QueueException: Redis Cluster: queue "integration-bus" needs a hash tag so its keys share a slot, e.g. '{integration-bus}'
dlq in another slot: PhpGrc\Bus\QueueException: Redis Cluster: the dead-letter list "{b}:dlq" must carry the queue's hash tag, e.g. '{a}:dlq'
no seeds: InvalidArgumentException: Redis Cluster seeds must be a list of 'host:port' strings or arrays with 'host' and 'port'
seed of the wrong type: InvalidArgumentException: Redis Cluster seeds must be a list of 'host:port' strings or arrays with 'host' and 'port'
seed with credentials: PhpGrc\Bus\QueueException: %s
database other than 0: PhpGrc\Bus\QueueException: %sdatabase 0%s
negative failover_timeout: InvalidArgumentException: Queue option 'failover_timeout' must be seconds from 0 to 86400, got "-1"
timeout beyond what a Duration holds: InvalidArgumentException: Queue option 'timeout' must be seconds from 0 to 86400, got "1000000000000000000000000000000"
