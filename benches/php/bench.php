<?php

/*
 * phpgrc_bus beside its peers, in one run (issues 6 and 16).
 *
 *   php benches/php/bench.php [--quick] [--json FILE] [--no-e2e | --only-e2e] [--no-queue] [--no-memory]
 *
 * First, end to end (issue 16, E2eBench): envelopes drained by the stock Laravel Worker
 * (`queue:work`) and built, checked and enqueued by a connector loop, through our driver and
 * through phpGRC's own path, one process per contender in interleaved rounds; and busy_poll's
 * bill for an FPM producer.
 *
 * Then, per call, in this process: per envelope (the valid one of each of the 7 kinds, and
 * large.json) median and p99 per call of Validator::validate() on an array, a JSON string and a
 * stdClass tree, isValid(), an invalid envelope; justinrainbow/json-schema; json_decode alone; a
 * hand-written partial check; Summary::of() against the same context in plain PHP. Then the queue
 * against Laravel's RedisQueue, raw phpredis and redis-benchmark (when PhpGrc\Bus\Queue exists),
 * and a memory check.
 * Ratios are peer ÷ ours from this run: above 1 means the extension is faster. Default run about
 * 3 minutes (the end-to-end section ~70 s of it), --quick about 45 s.
 */

declare(strict_types=1);

namespace PhpGrc\Bus\Bench;

use DateTimeImmutable;
use DateTimeZone;
use PhpGrc\Bus\Summary;
use PhpGrc\Bus\TestSupport\RedisServer;
use PhpGrc\Bus\Validator;

// The redis-server helper is the test-support kit's (a child process on a free port, stopped by pid).
require_once __DIR__ . '/../../php-tests/support/autoload.php';
foreach (['Stats', 'Sampler', 'Memory', 'PlainSummary', 'PartialCheck', 'JustinRainbow', 'QueueBench', 'E2eBench', 'Report'] as $file) {
    require_once __DIR__ . "/{$file}.php";
}

const ROOT = __DIR__ . '/../..';

$options = getopt('', ['quick', 'json:', 'no-e2e', 'only-e2e', 'no-queue', 'no-memory', 'help']);
if (isset($options['help'])) {
    fwrite(STDOUT, "usage: php benches/php/bench.php [--quick] [--json FILE] [--no-e2e | --only-e2e] [--no-queue] [--no-memory]\n");
    exit(0);
}
if (!extension_loaded('phpgrc_bus')) {
    fwrite(STDERR, "phpgrc_bus is not loaded in this PHP (php -m): run `make install` first\n");
    exit(1);
}
$quick = isset($options['quick']);
$settings = $quick
    ? ['seconds_per_case' => 0.12, 'rounds' => 2, 'memory_calls' => 100_000, 'queue_calls' => 600, 'queue_batch_calls' => 12, 'queue_rounds' => 2, 'queue_memory_cycles' => 10_000, 'ceiling_requests' => 50_000,
        'e2e_jobs' => 2_500, 'e2e_rounds' => 2, 'e2e_fpm_requests' => 1_000]
    : ['seconds_per_case' => 1.0, 'rounds' => 5, 'memory_calls' => 1_000_000, 'queue_calls' => 3_000, 'queue_batch_calls' => 60, 'queue_rounds' => 3, 'queue_memory_cycles' => 100_000, 'ceiling_requests' => 200_000,
        'e2e_jobs' => 5_000, 'e2e_rounds' => 3, 'e2e_fpm_requests' => 2_000];
// The FPM producer's work between pushes: ~1 ms, as issue 16 asks.
const E2E_FPM_WORK_US = 1000;

$report = new Report();
$report->machine($settings, $quick);
$started = hrtime(true);

// --- End to end first: what an operator feels (issue 16). ---
if (isset($options['no-e2e'])) {
    $report->e2eSkipped('skipped (--no-e2e)');
} elseif (!class_exists('PhpGrc\\Bus\\Queue') || !class_exists('Redis') || !is_file(getenv('ILLUMINATE_AUTOLOAD') ?: '/usr/share/php/Illuminate/autoload.php')) {
    $report->e2eSkipped('skipped: needs PhpGrc\\Bus\\Queue, phpredis and Laravel (php-laravel-framework or ILLUMINATE_AUTOLOAD)');
} else {
    $server = RedisServer::start();
    try {
        $e2e = new E2eBench($server, $settings['e2e_jobs'], $settings['e2e_rounds'], $settings['e2e_fpm_requests'], E2E_FPM_WORK_US);
        $report->e2e($e2e->run(static function (string $what): void {
            fwrite(STDERR, "  e2e: {$what}\r");
        }));
        fwrite(STDERR, str_repeat(' ', 60) . "\r");
    } finally {
        $server->stop();
    }
}

/** The targets, the run's length, and the JSON file when asked for. */
function conclude(Report $report, array $options, int $started): void
{
    $report->targets();
    $report->finish((hrtime(true) - $started) / 1e9);
    if (isset($options['json'])) {
        $report->writeJson((string) $options['json']);
    }
}

if (isset($options['only-e2e'])) {
    conclude($report, $options, $started);
    exit(0);
}

// --- Fixtures: the valid envelope of each kind, its first invalid one, and the large one. ---
$fixtures = [];
foreach (array_keys(\PhpGrc\Bus\Envelope::kinds()) as $kind) {
    $dir = ROOT . "/php-tests/fixtures/envelopes/{$kind}";
    $invalid = glob("{$dir}/invalid-*.json") ?: [];
    sort($invalid);
    $fixtures[$kind] = ['valid' => "{$dir}/valid.json", 'invalid' => $invalid[0] ?? null];
}
if (is_file(ROOT . '/php-tests/fixtures/envelopes/large.json')) {
    $fixtures['large'] = ['valid' => ROOT . '/php-tests/fixtures/envelopes/large.json', 'invalid' => null];
}

/** The three forms an envelope reaches the validator in; the string is compact, as on a queue. */
function forms(string $file): array
{
    $text = (string) file_get_contents($file);
    $object = json_decode($text, false, 512, JSON_THROW_ON_ERROR);

    return [
        'array' => json_decode($text, true, 512, JSON_THROW_ON_ERROR),
        'string' => json_encode($object, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR),
        'object' => $object,
    ];
}

$validator = new Validator();
$justin = JustinRainbow::available() ? new JustinRainbow(ROOT . '/schemas/integration-bus-envelope.schema.json') : null;
if ($justin === null) {
    $report->note('justinrainbow/json-schema not found (Debian php-json-schema): its column is empty');
}
$receivedAt = new DateTimeImmutable('2026-03-14T09:26:54.321Z', new DateTimeZone('UTC'));
$sampler = new Sampler($settings['seconds_per_case'], $settings['rounds']);
$report->baseline($sampler->baselineNs());

// --- Validation and summary, per envelope. ---
foreach ($fixtures as $name => $files) {
    $f = forms($files['valid']);
    [$array, $string, $object] = [$f['array'], $f['string'], $f['object']];

    // Sanity: every contender must agree the envelope is valid, and both summaries must match.
    if ($validator->validate($array) !== [] || $validator->validate($string) !== [] || $validator->validate($object) !== []) {
        $report->note("{$name}: the extension reports violations on the valid fixture");
    }
    if ($justin !== null && !$justin->isValid($object)) {
        $report->note("{$name}: justinrainbow rejects the valid fixture: " . json_encode(array_slice($justin->errors($object), 0, 2)));
    }
    if (PartialCheck::check($array) !== []) {
        $report->note("{$name}: the partial check rejects the valid fixture");
    }
    if (Summary::of($array, $receivedAt) !== PlainSummary::of($array, $receivedAt)) {
        $report->note("{$name}: Summary::of() and the plain-PHP summary differ");
    }

    $cases = [
        'validate(array)' => static fn () => $validator->validate($array),
        'validate(string)' => static fn () => $validator->validate($string),
        'validate(stdClass)' => static fn () => $validator->validate($object),
        'isValid(array)' => static fn () => $validator->isValid($array),
    ];
    if ($files['invalid'] !== null) {
        $invalid = forms($files['invalid'])['array'];
        $cases['validate(array) invalid'] = static fn () => $validator->validate($invalid);
        $report->invalidFixture($name, basename($files['invalid']), count($validator->validate($invalid)));
    }
    if ($justin !== null) {
        $cases['justinrainbow'] = static fn () => $justin->isValid($object);
    }
    $cases['json_decode(assoc)'] = static fn () => json_decode($string, true);
    $cases['partial PHP check'] = static fn () => PartialCheck::check($array);
    $cases['Summary::of(array)'] = static fn () => Summary::of($array, $receivedAt);
    $cases['plain PHP summary'] = static fn () => PlainSummary::of($array, $receivedAt);

    $report->envelope($name, strlen($string), $sampler->run($cases));
}
$report->validationTables();

// --- What each contender catches: every invalid fixture of every kind. ---
$caught = ['phpgrc_bus validate()' => 0, 'partial PHP check' => 0] + ($justin !== null ? ['justinrainbow' => 0] : []);
$invalidFiles = glob(ROOT . '/php-tests/fixtures/envelopes/*/invalid-*.json') ?: [];
foreach ($invalidFiles as $file) {
    $f = forms($file);
    $caught['phpgrc_bus validate()'] += $validator->validate($f['array']) !== [] ? 1 : 0;
    $caught['partial PHP check'] += PartialCheck::check($f['array']) !== [] ? 1 : 0;
    if ($justin !== null) {
        $caught['justinrainbow'] += $justin->isValid($f['object']) ? 0 : 1;
    }
}
$report->detection($caught, count($invalidFiles));

// --- Memory: validate() over every form, valid and invalid, many times. ---
if (!isset($options['no-memory'])) {
    $inputs = [];
    foreach ($fixtures as $files) {
        $f = forms($files['valid']);
        array_push($inputs, $f['array'], $f['string'], $f['object']);
        if ($files['invalid'] !== null) {
            $inputs[] = forms($files['invalid'])['array'];
        }
    }
    $i = 0;
    $n = count($inputs);
    $report->memory('validate()', Memory::around(static function () use ($validator, $inputs, &$i, $n): void {
        $validator->validate($inputs[$i++ % $n]);
    }, $settings['memory_calls']), "cycling through {$n} inputs (array, string, stdClass, invalid)");
}

// --- Queue. ---
if (isset($options['no-queue'])) {
    $report->queueSkipped('skipped (--no-queue)');
} elseif (!class_exists('PhpGrc\\Bus\\Queue')) {
    $report->queueSkipped('skipped, PhpGrc\\Bus\\Queue not built');
} elseif (!class_exists('Redis')) {
    $report->queueSkipped('skipped, phpredis is not loaded (php8.2-redis)');
} else {
    $server = RedisServer::start();
    try {
        $bench = new QueueBench($sampler, $server, forms($fixtures['asset.discovery']['valid'])['array'],
            $settings['queue_calls'], $settings['queue_batch_calls'], $settings['queue_rounds']);
        $result = $bench->run();
        $ceiling = $bench->ceiling($settings['ceiling_requests']);
        $report->queue($result, $ceiling);
        if (!isset($options['no-memory'])) {
            $report->memory('queue push/pop/ack', $bench->memory($settings['queue_memory_cycles']), 'one asset.discovery envelope per cycle');
        }
        $bench->close();
    } finally {
        $server->stop();
    }
}

conclude($report, $options, $started);
