<?php

/*
 * One call of the per-call bench, N times, alone in a process: for callgrind (instructions per
 * call = (run with N) − (run with 0), divided by N), strace -c or perf.
 *
 *   php benches/php/profile-calls.php CASE KIND N [PORT]
 *
 * CASE: validate-array, validate-string, partial-check, peer-check, json-decode, run-envelope
 * (Run::envelope() from the fixture's inputs, as the e2e producers build it) (KIND's valid fixture); on the redis-server at PORT: fill (N jobs of KIND for each of the next two, in a run
 * of its own, so the pops' runs do not count the pushes), pop-ack (the extension, defaults),
 * laravel-pop-delete (Laravel's RedisQueue on phpredis), push-batch (N batches of 100). Prints
 * nothing but a checksum of results, so the work cannot be skipped.
 *
 *   valgrind --tool=callgrind --callgrind-out-file=OUT php benches/php/profile-calls.php validate-array vendor.profile 2000
 */

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

require_once __DIR__ . '/PartialCheck.php';
require_once __DIR__ . '/E2eApp.php';

[, $case, $kind, $n, $port] = array_pad($argv, 5, null);
$n = (int) $n;
$file = __DIR__ . "/../../php-tests/fixtures/envelopes/{$kind}/valid.json";
$text = (string) file_get_contents($file);
$array = json_decode($text, true, 512, JSON_THROW_ON_ERROR);
$string = json_encode(json_decode($text), JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
$validator = new \PhpGrc\Bus\Validator();
$validator->validate($array); // the schema compiles once per process, not in the measured calls
$sum = 0;

switch ($case) {
    case 'validate-array':
        for ($i = 0; $i < $n; $i++) {
            $sum += count($validator->validate($array));
        }
        break;
    case 'validate-string':
        for ($i = 0; $i < $n; $i++) {
            $sum += count($validator->validate($string));
        }
        break;
    case 'run-envelope':
        $run = new \PhpGrc\Bus\Run($array['connectorKey'], $array['connectorVersion'], $array['tenantId']);
        $provenance = array_diff_key($array['provenance'], ['ingestedAt' => 0, 'schemaRef' => 0, 'checksum' => 0]);
        $options = array_intersect_key($array, ['priority' => 0, 'meta' => 0, 'attachments' => 0, 'receivedAt' => 0]);
        for ($i = 0; $i < $n; $i++) {
            $sum += count($run->envelope($array['kind'], $array['event'], $array['payload'], $provenance, $options));
        }
        break;
    case 'json-decode':
        for ($i = 0; $i < $n; $i++) {
            $sum += count(json_decode($string, true));
        }
        break;
    case 'partial-check':
        for ($i = 0; $i < $n; $i++) {
            $sum += count(PartialCheck::check($array));
        }
        break;
    case 'peer-check':
        E2eApp::load();
        $peer = new Peer\PeerValidator();
        for ($i = 0; $i < $n; $i++) {
            $sum += count($peer->validate($array));
        }
        break;
    case 'fill':
    case 'pop-ack':
    case 'push-batch':
    case 'laravel-pop-delete':
        E2eApp::load();
        $queue = new \PhpGrc\Bus\Queue("redis://127.0.0.1:{$port}");
        $container = new \Illuminate\Container\Container();
        $manager = new \Illuminate\Redis\RedisManager($container, 'phpredis', ['options' => ['prefix' => ''],
            'default' => ['host' => '127.0.0.1', 'port' => (int) $port, 'database' => 0]]);
        $laravel = new \Illuminate\Queue\RedisQueue($manager, 'profile-laravel', 'default', 60);
        $laravel->setContainer($container);
        $laravel->setConnectionName('redis');
        if ($case === 'fill') {
            $queue->pushBatch(array_fill(0, $n, $array), 'profile');
            $laravel->bulk(array_fill(0, $n, 'PhpGrc\\Bus\\Laravel\\EnvelopeJob@handle'), $array, 'profile-laravel');
            $sum = $queue->size('profile') + $laravel->size('profile-laravel');
            break;
        }
        if ($case === 'push-batch') {
            $batch = array_fill(0, 100, $array);
            for ($i = 0; $i < $n; $i++) {
                $sum += count($queue->pushBatch($batch, 'profile'));
            }
            break;
        }
        if ($case === 'pop-ack') {
            for ($i = 0; $i < $n; $i++) {
                $sum += $queue->ack($queue->pop('profile')) ? 1 : 0;
            }
            break;
        }
        for ($i = 0; $i < $n; $i++) {
            $job = $laravel->pop('profile-laravel');
            $job->delete();
            $sum++;
        }
        break;
    default:
        fwrite(STDERR, "unknown case {$case}\n");
        exit(2);
}
echo $sum, "\n";
