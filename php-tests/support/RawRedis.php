<?php

declare(strict_types=1);

namespace PhpGrc\Bus\TestSupport;

use RuntimeException;

/**
 * A few plain Redis commands over a socket, for tests to look at keys as another process would.
 * Not phpredis, so the phpt suite runs on a PHP that has no php-redis package (PHP 8.5 today).
 * Method names are the commands (`$r->zCard($key)`); replies come back as phpredis gives them:
 * integers, strings, lists, and false for a missing value.
 */
final class RawRedis
{
    /** @var resource */
    private $socket;

    public function __construct(int $port, string $host = '127.0.0.1') {
        $socket = @stream_socket_client("tcp://$host:$port", $errno, $error, 5);
        if ($socket === false) { throw new RuntimeException("RawRedis: cannot connect to $host:$port: $error"); }
        stream_set_timeout($socket, 10);
        $this->socket = $socket;
    }

    public function __call(string $command, array $args): mixed {
        $parts = array_merge([strtoupper($command)], array_map('strval', $args));
        $request = '*' . count($parts) . "\r\n";
        foreach ($parts as $part) { $request .= '$' . strlen($part) . "\r\n" . $part . "\r\n"; }
        fwrite($this->socket, $request);
        return $this->reply();
    }

    private function reply(): mixed {
        $line = fgets($this->socket);
        if ($line === false) { throw new RuntimeException('RawRedis: connection closed'); }
        $body = substr($line, 1, -2);
        switch ($line[0]) {
            case '+': return $body === 'OK' ? true : $body;
            case '-': throw new RuntimeException("RawRedis: $body");
            case ':': return (int) $body;
            case '$':
                if ((int) $body < 0) { return false; }
                $data = '';
                while (strlen($data) < (int) $body + 2) { $data .= fread($this->socket, (int) $body + 2 - strlen($data)); }
                return substr($data, 0, -2);
            case '*':
                if ((int) $body < 0) { return false; }
                $items = [];
                for ($i = 0; $i < (int) $body; $i++) { $items[] = $this->reply(); }
                return $items;
        }
        throw new RuntimeException('RawRedis: unexpected reply ' . var_export($line, true));
    }
}
