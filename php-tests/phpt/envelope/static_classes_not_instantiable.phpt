--TEST--
Envelope and Summary hold static helpers only: they cannot be instantiated, and they are final
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
foreach ([PhpGrc\Bus\Envelope::class, PhpGrc\Bus\Summary::class] as $class) {
    $made = null;
    try {
        $made = new $class();
    } catch (Throwable $e) {
        echo "$class: cannot be instantiated\n";
    }
    if ($made !== null) {
        echo "$class: an instance was made\n";
    }
    var_dump((new ReflectionClass($class))->isFinal());
}
?>
--EXPECT--
PhpGrc\Bus\Envelope: cannot be instantiated
bool(true)
PhpGrc\Bus\Summary: cannot be instantiated
bool(true)
