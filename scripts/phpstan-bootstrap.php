<?php
// Autoloading for PHPStan: Debian's Illuminate and PHPUnit, and the glue's own PSR-4 namespace.
foreach (['/usr/share/php/Illuminate/Foundation/autoload.php', '/usr/share/php/PHPUnit/Autoload.php'] as $autoload) {
    if (is_file($autoload)) {
        require_once $autoload;
    }
}
spl_autoload_register(function (string $class): void {
    $prefix = 'PhpGrc\\Bus\\Laravel\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/../laravel/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});
