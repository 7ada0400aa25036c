<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests;

use PhpGrc\Bus\Envelope;
use PhpGrc\Bus\Laravel\Tests\Support\Envelopes;
use PhpGrc\Bus\Laravel\Tests\Support\TestApplication;
use Symfony\Component\Console\Input\ArrayInput;
use Symfony\Component\Console\Output\BufferedOutput;

/** `integration-bus:validate`: every exit code and message of laravel/README.md. */
final class ValidateCommandTest extends TestCase
{
    private const NO_HEADERS = 'No headers file provided; skipping header validation.';

    private string $dir;

    protected function setUp(): void
    {
        parent::setUp();
        $this->boot();
        $this->dir = sys_get_temp_dir() . '/phpgrc-bus-validate-' . bin2hex(random_bytes(4));
        mkdir($this->dir);
    }

    protected function tearDown(): void
    {
        exec('rm -rf ' . escapeshellarg($this->dir));
        parent::tearDown();
    }

    public function test_a_valid_envelope_passes_with_exit_code_0(): void
    {
        $file = $this->write('valid.json', Envelopes::of());

        [$code, $output] = $this->validate([$file]);

        $this->assertSame(0, $code);
        $this->assertSame(self::NO_HEADERS . "\nIntegration Bus envelope validation passed: {$file}\n", $output);
    }

    public function test_an_invalid_envelope_lists_every_violation_with_exit_code_1(): void
    {
        $envelope = Envelopes::of();
        unset($envelope['runId']);
        $envelope['priority'] = 'urgent';
        $file = $this->write('invalid.json', $envelope);

        [$code, $output] = $this->validate([$file]);

        $this->assertSame(1, $code);
        $lines = explode("\n", trim($output));
        $this->assertSame([self::NO_HEADERS, "Validation failed: {$file}"], array_slice($lines, 0, 2));
        $violations = array_slice($lines, 2);
        $this->assertGreaterThanOrEqual(2, count($violations));
        foreach ($violations as $line) {
            $this->assertMatchesRegularExpression('/^ - (\(root\)|\/\S*): .+ \([a-zA-Z]+\)$/', $line);
        }
        $this->assertStringContainsString('(required)', $output);
        $this->assertStringContainsString(' - /priority: ', $output);
    }

    public function test_a_missing_file(): void
    {
        [$code, $output] = $this->validate([$this->dir . '/nope.json']);

        $this->assertSame(1, $code);
        $this->assertStringContainsString("Envelope file not found: {$this->dir}/nope.json\n", $output);
    }

    public function test_an_unreadable_file(): void
    {
        // A unix socket exists and is not a directory, but cannot be read, even by root.
        $path = $this->dir . '/socket.json';
        $server = stream_socket_server('unix://' . $path);

        [$code, $output] = $this->validate([$path]);
        fclose($server);

        $this->assertSame(1, $code);
        $this->assertStringContainsString("Unable to read envelope file: {$path}\n", $output);
    }

    public function test_invalid_json(): void
    {
        $file = $this->dir . '/broken.json';
        file_put_contents($file, '{"id": ');

        [$code, $output] = $this->validate([$file]);

        $this->assertSame(1, $code);
        $this->assertStringContainsString("Invalid JSON in envelope file: {$file}\n", $output);
    }

    /** @return iterable<string, array{string}> */
    public static function nonObjects(): iterable
    {
        yield 'array' => ['[1, 2]'];
        yield 'empty array' => ['[]'];
        yield 'string' => ['"envelope"'];
        yield 'null' => ['null'];
    }

    /** @dataProvider nonObjects */
    #[\PHPUnit\Framework\Attributes\DataProvider('nonObjects')] // PHPUnit 10+ (Debian 13); the annotation is PHPUnit 9's
    public function test_json_that_is_not_an_object(string $json): void
    {
        $file = $this->dir . '/list.json';
        file_put_contents($file, $json);

        [$code, $output] = $this->validate([$file]);

        $this->assertSame(1, $code);
        $this->assertStringContainsString("Envelope JSON must decode to an object: {$file}\n", $output);
    }

    public function test_matching_headers_pass(): void
    {
        $envelope = Envelopes::of();
        $file = $this->write('valid.json', $envelope);
        $headers = $this->write('headers.json', Envelope::headers($envelope));

        [$code, $output] = $this->validate([$file], ['--headers' => $headers]);

        $this->assertSame(0, $code);
        $this->assertSame("Integration Bus envelope validation passed: {$file}\n", $output);
    }

    public function test_header_names_are_case_insensitive_and_a_list_counts_as_its_first_value(): void
    {
        $envelope = Envelopes::of();
        $headers = [];
        foreach (Envelope::headers($envelope) as $name => $value) {
            $headers[strtoupper($name)] = [$value, 'ignored'];
        }

        [$code] = $this->validate([$this->write('valid.json', $envelope)], ['--headers' => $this->write('headers.json', $headers)]);

        $this->assertSame(0, $code);
    }

    public function test_headers_that_do_not_mirror_the_body_fail(): void
    {
        $envelope = Envelopes::of();
        $headers = Envelope::headers($envelope);
        $headers['x-phpgrc-run-id'] = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
        $file = $this->write('valid.json', $envelope);

        [$code, $output] = $this->validate([$file], ['--headers' => $this->write('headers.json', $headers)]);

        $this->assertSame(1, $code);
        $this->assertStringContainsString("Validation failed: {$file}\n", $output);
        $this->assertStringContainsString('x-phpgrc-run-id', $output);
        $this->assertStringContainsString('01ARZ3NDEKTSV4RRFFQ69G5FAV', $output);
    }

    public function test_an_empty_headers_object_applies_the_header_rules(): void
    {
        [$code, $output] = $this->validate([$this->write('valid.json', Envelopes::of())], ['--headers' => $this->write('headers.json', new \stdClass())]);

        $this->assertSame(1, $code);
        $this->assertStringContainsString('x-phpgrc-bus-version', $output);
    }

    /** @return iterable<string, array{string|null, string}> */
    public static function badHeaderFiles(): iterable
    {
        yield 'missing' => [null, 'Headers file not found: %s'];
        yield 'invalid JSON' => ['{"x-phpgrc-kind": ', 'Invalid JSON in headers file: %s'];
        yield 'not an object' => ['["x-phpgrc-kind"]', 'Headers JSON must decode to an object: %s'];
        yield 'a number value' => ['{"x-phpgrc-kind": 3}', 'Headers JSON values must be strings or lists of strings: %s'];
        yield 'an object value' => ['{"x-phpgrc-kind": {"a": "b"}}', 'Headers JSON values must be strings or lists of strings: %s'];
        yield 'a list of numbers' => ['{"x-phpgrc-kind": [1]}', 'Headers JSON values must be strings or lists of strings: %s'];
    }

    /** @dataProvider badHeaderFiles */
    #[\PHPUnit\Framework\Attributes\DataProvider('badHeaderFiles')] // PHPUnit 10+ (Debian 13); the annotation is PHPUnit 9's
    public function test_a_bad_headers_file_stops_before_any_envelope(?string $contents, string $message): void
    {
        $headers = $this->dir . '/headers.json';
        if ($contents !== null) {
            file_put_contents($headers, $contents);
        }

        [$code, $output] = $this->validate([$this->write('valid.json', Envelopes::of())], ['--headers' => $headers]);

        $this->assertSame(1, $code);
        $this->assertSame(sprintf($message, $headers) . "\n", $output);
    }

    public function test_standard_input(): void
    {
        [$code, $output] = $this->validate(['-'], [], json_encode(Envelopes::of()));

        $this->assertSame(0, $code);
        $this->assertStringContainsString("Integration Bus envelope validation passed: (stdin)\n", $output);
    }

    public function test_invalid_json_on_standard_input(): void
    {
        [$code, $output] = $this->validate(['-'], [], 'not json');

        $this->assertSame(1, $code);
        $this->assertStringContainsString("Invalid JSON in envelope file: (stdin)\n", $output);
    }

    public function test_several_files_report_each_and_a_total(): void
    {
        $a = $this->write('a.json', Envelopes::of('asset.discovery'));
        $b = $this->write('b.json', Envelopes::of('incident.event'));

        [$code, $output] = $this->validate([$a, $b]);

        $this->assertSame(0, $code);
        $this->assertSame(
            self::NO_HEADERS . "\n"
            . "Integration Bus envelope validation passed: {$a}\n"
            . "Integration Bus envelope validation passed: {$b}\n"
            . "2 envelopes checked: 2 passed, 0 failed.\n",
            $output,
        );
    }

    public function test_one_bad_file_among_several_fails_the_run_but_all_are_checked(): void
    {
        $a = $this->write('a.json', Envelopes::of());

        [$code, $output] = $this->validate([$this->dir . '/missing.json', $a]);

        $this->assertSame(1, $code);
        $this->assertStringContainsString("Envelope file not found: {$this->dir}/missing.json\n", $output);
        $this->assertStringContainsString("Integration Bus envelope validation passed: {$a}\n", $output);
        $this->assertStringContainsString("2 envelopes checked: 1 passed, 1 failed.\n", $output);
    }

    public function test_a_directory_validates_every_json_file_inside_in_name_order(): void
    {
        $this->write('b.json', Envelopes::of('vendor.profile'));
        $this->write('a.json', Envelopes::of('cyber.metric'));
        file_put_contents($this->dir . '/c.json', '[]');
        file_put_contents($this->dir . '/notes.txt', 'not an envelope');
        mkdir($this->dir . '/nested.json');

        [$code, $output] = $this->validate([$this->dir]);

        $this->assertSame(1, $code);
        $this->assertSame(
            self::NO_HEADERS . "\n"
            . "Integration Bus envelope validation passed: {$this->dir}/a.json\n"
            . "Integration Bus envelope validation passed: {$this->dir}/b.json\n"
            . "Envelope JSON must decode to an object: {$this->dir}/c.json\n"
            . "3 envelopes checked: 2 passed, 1 failed.\n",
            $output,
        );
    }

    public function test_a_directory_without_json_files(): void
    {
        [$code, $output] = $this->validate([$this->dir]);

        $this->assertSame(1, $code);
        $this->assertStringContainsString("No envelope files (*.json) in directory: {$this->dir}\n", $output);
    }

    public function test_a_progress_bar_is_drawn_above_the_threshold_only(): void
    {
        $files = [];
        for ($i = 0; $i < 6; $i++) {
            $files[] = $this->write("e{$i}.json", Envelopes::of());
        }

        [, $five] = $this->validate(array_slice($files, 0, 5));
        [$code, $six] = $this->validate($files);

        $this->assertStringNotContainsString('5/5', $five);
        $this->assertSame(0, $code);
        $this->assertStringContainsString('6/6', $six);
        $this->assertStringContainsString("6 envelopes checked: 6 passed, 0 failed.\n", $six);
    }

    public function test_json_format_for_a_valid_and_an_invalid_envelope(): void
    {
        $valid = $this->write('valid.json', Envelopes::of());
        $envelope = Envelopes::of();
        $envelope['priority'] = 'urgent';
        $invalid = $this->write('invalid.json', $envelope);

        [$code, $output] = $this->validate([$valid, $invalid, $this->dir . '/missing.json'], ['--format' => 'json']);

        $this->assertSame(1, $code);
        $this->assertStringEndsWith("}\n", $output);
        $this->assertSame(1, substr_count($output, "\n"), 'JSON output is one line');
        $report = json_decode($output, true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame(['valid', 'strict', 'headers', 'error', 'results'], array_keys($report));
        $this->assertSame([false, false, null, null], [$report['valid'], $report['strict'], $report['headers'], $report['error']]);
        $this->assertSame(['file' => $valid, 'valid' => true, 'error' => null, 'violations' => []], $report['results'][0]);
        $this->assertSame([$invalid, false, null], [$report['results'][1]['file'], $report['results'][1]['valid'], $report['results'][1]['error']]);
        $this->assertSame('/priority', $report['results'][1]['violations'][0]['path']);
        $this->assertSame(['path', 'keyword', 'message'], array_keys($report['results'][1]['violations'][0]));
        $this->assertSame(
            ['file' => $this->dir . '/missing.json', 'valid' => false, 'error' => "Envelope file not found: {$this->dir}/missing.json", 'violations' => []],
            $report['results'][2],
        );
    }

    public function test_json_format_when_all_pass(): void
    {
        $envelope = Envelopes::of();
        $file = $this->write('valid.json', $envelope);
        $headers = $this->write('headers.json', Envelope::headers($envelope));

        [$code, $output] = $this->validate([$file], ['--format' => 'json', '--headers' => $headers, '--strict' => true]);

        $this->assertSame(0, $code);
        $this->assertSame(
            ['valid' => true, 'strict' => true, 'headers' => $headers, 'error' => null, 'results' => [['file' => $file, 'valid' => true, 'error' => null, 'violations' => []]]],
            json_decode($output, true),
        );
    }

    public function test_json_format_for_a_bad_headers_file(): void
    {
        [$code, $output] = $this->validate([$this->write('valid.json', Envelopes::of())], ['--format' => 'json', '--headers' => $this->dir . '/h.json']);

        $this->assertSame(1, $code);
        $this->assertSame(
            ['valid' => false, 'strict' => false, 'headers' => $this->dir . '/h.json', 'error' => "Headers file not found: {$this->dir}/h.json", 'results' => []],
            json_decode($output, true),
        );
    }

    public function test_an_unknown_format(): void
    {
        [$code, $output] = $this->validate([$this->write('valid.json', Envelopes::of())], ['--format' => 'yaml']);

        $this->assertSame(1, $code);
        $this->assertSame("Unknown format: yaml (expected text or json).\n", $output);
    }

    public function test_strict_applies_the_rules_the_schema_cannot_express(): void
    {
        $envelope = Envelopes::of();
        $envelope['emittedAt'] = '2025-03-01T12:00:00+02:00'; // a valid date-time, but not UTC
        $file = $this->write('offset.json', $envelope);

        [$lenient] = $this->validate([$file]);
        [$strict, $output] = $this->validate([$file], ['--strict' => true]);

        $this->assertSame(0, $lenient);
        $this->assertSame(1, $strict);
        $this->assertStringContainsString(' - /emittedAt: ', $output);
    }

    public function test_a_real_process_reads_stdin_exits_with_the_code_and_draws_progress_on_stderr(): void
    {
        $valid = json_encode(Envelopes::of());
        [$code, $stdout, $stderr] = $this->artisanProcess(['integration-bus:validate', '-'], $valid);
        $this->assertSame(0, $code, $stderr);
        $this->assertSame(self::NO_HEADERS . "\nIntegration Bus envelope validation passed: (stdin)\n", $stdout);

        [$code, $stdout] = $this->artisanProcess(['integration-bus:validate', '-'], '[]');
        $this->assertSame(1, $code);
        $this->assertStringContainsString("Envelope JSON must decode to an object: (stdin)\n", $stdout);

        for ($i = 0; $i < 6; $i++) {
            $this->write("p{$i}.json", Envelopes::of());
        }
        [$code, $stdout, $stderr] = $this->artisanProcess(['integration-bus:validate', $this->dir, '--format=json'], '');
        $this->assertSame(0, $code, $stderr);
        $this->assertTrue(json_decode($stdout, true)['valid']);

        [$code, $stdout, $stderr] = $this->artisanProcess(['integration-bus:validate', $this->dir], '');
        $this->assertSame(0, $code);
        $this->assertStringContainsString('6/6', $stderr);
        $this->assertStringNotContainsString('6/6', $stdout);
    }

    /**
     * @param list<string> $envelopes
     * @param array<string, mixed> $options
     * @return array{0: int, 1: string}
     */
    private function validate(array $envelopes, array $options = [], ?string $stdin = null): array
    {
        $input = new ArrayInput(['command' => 'integration-bus:validate', 'envelope' => $envelopes] + $options);
        if ($stdin !== null) {
            $stream = fopen('php://memory', 'r+b');
            fwrite($stream, $stdin);
            rewind($stream);
            $input->setStream($stream);
        }
        $output = new BufferedOutput();

        $code = TestApplication::artisan($this->app)->run($input, $output);

        return [$code, $output->fetch()];
    }

    /**
     * @param list<string> $arguments
     * @return array{0: int, 1: string, 2: string} exit code, stdout, stderr
     */
    private function artisanProcess(array $arguments, string $stdin): array
    {
        $process = proc_open(
            array_merge([PHP_BINARY, __DIR__ . '/bin/artisan'], $arguments),
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $pipes,
        );
        fwrite($pipes[0], $stdin);
        fclose($pipes[0]);
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);

        return [proc_close($process), $stdout, $stderr];
    }

    private function write(string $name, array|object $json): string
    {
        $path = $this->dir . '/' . $name;
        file_put_contents($path, json_encode($json, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES));

        return $path;
    }
}
