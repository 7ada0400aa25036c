<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Events;

/** Dispatched for each envelope of kind `indicator.metric`. */
final class IndicatorMetricMessageReceived extends MessageReceived
{
}
