<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

use Illuminate\Contracts\Queue\ShouldQueue;

/** An ordinary Laravel job object, not an envelope. */
final class PlainJob implements ShouldQueue
{
    /** @var list<string> */
    public static array $handled = [];

    public function __construct(public string $label)
    {
    }

    public function handle(): void
    {
        self::$handled[] = $this->label;
    }
}
