--TEST--
ini phpgrc_bus.max_depth/max_bytes: ini_set() applies to the next call, and values read as PHP reads integer settings (strtol, base 0: hex, octal, leading spaces, trailing text)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();
$envelope = fixture('asset.discovery');
foreach (['2', '0x3', '03', ' 4', '4abc', 'abc', '99999999999999999999999', '128'] as $depth) {
    ini_set('phpgrc_bus.max_depth', $depth);
    echo "max_depth '$depth': ";
    outcome(fn () => $validator->isValid($envelope));
}
foreach (['100', '0x400', '1k', '0', '-5', '16777216'] as $bytes) {
    ini_set('phpgrc_bus.max_bytes', $bytes);
    echo "max_bytes '$bytes': ";
    outcome(fn () => $validator->isValid($envelope));
}
?>
--EXPECTF--
max_depth '2': InvalidArgumentException: %Sdepth of 2%S
max_depth '0x3': InvalidArgumentException: %Sdepth of 3%S
max_depth '03': InvalidArgumentException: %Sdepth of 3%S
max_depth ' 4': bool(true)
max_depth '4abc': bool(true)
max_depth 'abc': InvalidArgumentException: %Sdepth of 1%S
max_depth '99999999999999999999999': bool(true)
max_depth '128': bool(true)
max_bytes '100': InvalidArgumentException: %Smore than 100 bytes%S
max_bytes '0x400': bool(true)
max_bytes '1k': InvalidArgumentException: %Smore than 1 bytes%S
max_bytes '0': bool(true)
max_bytes '-5': bool(true)
max_bytes '16777216': bool(true)
