<?php
// Envelope::checksum() of each payload, as PHP code calls it: JSON texts on stdin, one a line.
// Per line: the checksum of json_decode($text) (objects as stdClass, so {} stays {}) when it
// decodes to an array or object, else "-" (also where PHP cannot decode it to objects: a
// member name starting with a NUL byte); a tab; the checksum of the JSON text itself.
use PhpGrc\Bus\Envelope;

$sum = static function ($payload): string {
    try {
        return Envelope::checksum($payload);
    } catch (\Throwable $e) {
        return 'ERROR ' . get_class($e) . ': ' . $e->getMessage();
    }
};
foreach (explode("\n", stream_get_contents(STDIN)) as $line) {
    if ($line === '') {
        continue;
    }
    try {
        $decoded = json_decode($line, false, 512, JSON_THROW_ON_ERROR);
    } catch (\JsonException $e) {
        $decoded = null;
    }
    $fromValue = is_array($decoded) || is_object($decoded) ? $sum($decoded) : '-';
    echo $fromValue, "\t", $sum($line), "\n";
}
