<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Tests\Support;

/** A queue named by an enum, as Laravel 13 lets `onQueue()` and `Queue::push()` take one. */
enum QueueName: string
{
    case Urgent = 'urgent';
}
