<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Laravel\Events;

/** Dispatched for each envelope of kind `vendor.profile`. */
final class VendorProfileMessageReceived extends MessageReceived
{
}
