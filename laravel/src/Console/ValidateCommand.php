<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Console;

use Illuminate\Console\Command;
use PhpGrc\Bus\Validator;
use stdClass;
use Symfony\Component\Console\Formatter\OutputFormatter;
use Symfony\Component\Console\Helper\ProgressBar;
use Symfony\Component\Console\Input\StreamableInputInterface;
use Symfony\Component\Console\Output\ConsoleOutputInterface;
use Symfony\Component\Console\Output\OutputInterface;

/**
 * `php artisan integration-bus:validate`: the contract check connector repositories run in CI,
 * with the same Validator the workers use. Its messages, JSON shape and exit codes are a stable
 * interface (laravel/README.md), mirrored by the standalone binary: change them in both or not at all.
 */
final class ValidateCommand extends Command
{
    public const STDIN = '-';
    public const STDIN_LABEL = '(stdin)';

    /** More inputs than this draw a progress bar (text format, on stderr when there is one). */
    public const PROGRESS_THRESHOLD = 5;

    protected $signature = 'integration-bus:validate
        {envelope* : Envelope JSON files, directories (every *.json inside), or - for standard input}
        {--headers= : A JSON file of queue headers (name => value) to check against every envelope}
        {--strict : Also apply the strict contract rules (UTC timestamps, attachment URIs, checksum, no secrets)}
        {--format=text : Output format: text or json}';

    protected $description = 'Validate Integration Bus envelopes against the contract and the queue header rules.';

    public function handle(Validator $validator): int
    {
        $format = (string) $this->option('format');
        if (! in_array($format, ['text', 'json'], true)) {
            $this->error(sprintf('Unknown format: %s (expected text or json).', $format));

            return self::FAILURE;
        }

        $strict = (bool) $this->option('strict');
        if ($strict && ! $validator->isStrict()) {
            $validator = new Validator(null, ['strict' => true]);
        }

        $headersPath = $this->option('headers');
        $headersPath = is_string($headersPath) && $headersPath !== '' ? $headersPath : null;
        try {
            $headers = $headersPath === null ? null : $this->readHeaders($headersPath);
        } catch (InputException $e) {
            $this->report($format, $validator->isStrict(), $headersPath, $e->getMessage(), []);

            return self::FAILURE;
        }

        $inputs = $this->expand((array) $this->argument('envelope'));
        $results = $this->validateAll($validator, $inputs, $headers, $format === 'text');

        return $this->report($format, $validator->isStrict(), $headersPath, null, $results) ? self::SUCCESS : self::FAILURE;
    }

    /**
     * Arguments in order; a directory becomes its *.json files in byte order of their names, or an
     * error when it has none.
     *
     * @param list<string> $arguments
     * @return list<array{path: string, error: InputException|null}>
     */
    private function expand(array $arguments): array
    {
        $inputs = [];
        foreach ($arguments as $argument) {
            if ($argument === self::STDIN || ! is_dir($argument)) {
                $inputs[] = ['path' => $argument, 'error' => null];

                continue;
            }

            $names = array_values(array_filter(
                scandir($argument) ?: [],
                static fn (string $name) => str_ends_with($name, '.json') && is_file($argument . '/' . $name),
            ));
            sort($names, SORT_STRING);
            if ($names === []) {
                $inputs[] = ['path' => $argument, 'error' => InputException::emptyDirectory($argument)];
            }
            foreach ($names as $name) {
                $inputs[] = ['path' => rtrim($argument, '/') . '/' . $name, 'error' => null];
            }
        }

        return $inputs;
    }

    /**
     * @param list<array{path: string, error: InputException|null}> $inputs
     * @param array<string, string|list<string>>|null $headers
     * @return list<array{file: string, valid: bool, error: string|null, violations: list<array{path: string, keyword: string, message: string}>}>
     */
    private function validateAll(Validator $validator, array $inputs, ?array $headers, bool $showProgress): array
    {
        $progressOutput = $this->progressOutput();
        $bar = $showProgress && count($inputs) > self::PROGRESS_THRESHOLD ? new ProgressBar($progressOutput, count($inputs)) : null;
        $bar?->start();

        $results = [];
        foreach ($inputs as $input) {
            $results[] = $this->validateOne($validator, $input['path'], $input['error'], $headers);
            $bar?->advance();
        }

        if ($bar !== null) {
            $bar->finish();
            $progressOutput->writeln('');
        }

        return $results;
    }

    /**
     * @param array<string, string|list<string>>|null $headers
     * @return array{file: string, valid: bool, error: string|null, violations: list<array{path: string, keyword: string, message: string}>}
     */
    private function validateOne(Validator $validator, string $path, ?InputException $error, ?array $headers): array
    {
        $label = $path === self::STDIN ? self::STDIN_LABEL : $path;
        try {
            if ($error !== null) {
                throw $error;
            }
            $envelope = $this->readObject('envelope', $path);
            try {
                $violations = $validator->validate($envelope, $headers);
            } catch (\InvalidArgumentException $e) {
                throw InputException::notValidatable($label, $e->getMessage());
            }
        } catch (InputException $e) {
            return ['file' => $label, 'valid' => false, 'error' => $e->getMessage(), 'violations' => []];
        }

        return ['file' => $label, 'valid' => $violations === [], 'error' => null, 'violations' => $violations];
    }

    /** @return array<string, string|list<string>> */
    private function readHeaders(string $path): array
    {
        $headers = [];
        foreach (get_object_vars($this->readObject('headers', $path)) as $name => $value) {
            $isStringList = is_array($value) && array_is_list($value) && $value === array_filter($value, 'is_string');
            if (! is_string($value) && ! $isStringList) {
                throw InputException::badHeaderValues($path);
            }
            $headers[(string) $name] = $value;
        }

        return $headers;
    }

    /**
     * A JSON object, decoded as a stdClass tree so `{}` and `[]` stay apart for the Validator.
     *
     * @param 'envelope'|'headers' $label
     */
    private function readObject(string $label, string $path): stdClass
    {
        $shown = $path === self::STDIN ? self::STDIN_LABEL : $path;
        if ($path === self::STDIN) {
            $bytes = stream_get_contents($this->stdin());
        } elseif (! file_exists($path)) {
            throw InputException::notFound($label, $shown);
        } else {
            $bytes = is_dir($path) ? false : @file_get_contents($path);
        }
        if ($bytes === false) {
            throw InputException::unreadable($label, $shown);
        }

        try {
            $value = json_decode($bytes, false, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            throw InputException::invalidJson($label, $shown);
        }
        if (! $value instanceof stdClass) {
            throw InputException::notAnObject($label, $shown);
        }

        return $value;
    }

    /** @return resource the input's stream when one was set (tests, Artisan::call), else the process's stdin */
    private function stdin()
    {
        $stream = $this->input instanceof StreamableInputInterface ? $this->input->getStream() : null;

        return $stream ?? fopen('php://stdin', 'rb');
    }

    /** stderr when there is one, so stdout keeps only the stable lines. */
    private function progressOutput(): OutputInterface
    {
        $output = $this->output->getOutput();

        return $output instanceof ConsoleOutputInterface ? $output->getErrorOutput() : $output;
    }

    /**
     * Prints the results; true when every envelope is valid.
     *
     * @param list<array{file: string, valid: bool, error: string|null, violations: list<array{path: string, keyword: string, message: string}>}> $results
     */
    private function report(string $format, bool $strict, ?string $headersPath, ?string $error, array $results): bool
    {
        $valid = $error === null && $results !== [] && ! in_array(false, array_column($results, 'valid'), true);

        if ($format === 'json') {
            $this->output->writeln(json_encode([
                'valid' => $valid,
                'strict' => $strict,
                'headers' => $headersPath,
                'error' => $error,
                'results' => $results,
            ], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), OutputInterface::OUTPUT_RAW);

            return $valid;
        }

        if ($error !== null) {
            $this->say('error', $error);

            return false;
        }
        if ($headersPath === null) {
            $this->say('comment', 'No headers file provided; skipping header validation.');
        }
        foreach ($results as $result) {
            if ($result['error'] !== null) {
                $this->say('error', $result['error']);
            } elseif ($result['valid']) {
                $this->say('info', sprintf('Integration Bus envelope validation passed: %s', $result['file']));
            } else {
                $this->say('error', sprintf('Validation failed: %s', $result['file']));
                foreach ($result['violations'] as $violation) {
                    $path = $violation['path'] === '' ? '(root)' : $violation['path'];
                    $this->say(null, sprintf(' - %s: %s (%s)', $path, $violation['message'], $violation['keyword']));
                }
            }
        }
        if (count($results) > 1) {
            $passed = count(array_filter(array_column($results, 'valid')));
            $this->say(null, sprintf('%d envelopes checked: %d passed, %d failed.', count($results), $passed, count($results) - $passed));
        }

        return $valid;
    }

    /** One line, its text escaped: violation messages and paths may hold `<...>`, which Symfony reads as a style tag. */
    private function say(?string $style, string $text): void
    {
        $this->line(OutputFormatter::escape($text), $style);
    }
}
