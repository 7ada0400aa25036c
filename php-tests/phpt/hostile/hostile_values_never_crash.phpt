--TEST--
Hostile values from the reliability list: each gives a documented exception or violations, never a crash
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
use PhpGrc\Bus\{Validator, Summary, Envelope};

$v = new Validator();
$valid = json_decode(file_get_contents(__DIR__ . '/../../fixtures/envelopes/auth.provider/valid.json'), true);

function attempt(string $label, callable $f): void {
    try {
        $r = $f();
        echo $label, ': ', is_array($r) ? (array_is_list($r) && $r !== [] && is_string($r[0]) ? implode(' | ', $r) : count($r) . ' violation(s)') : var_export($r, true), "\n";
    } catch (Throwable $e) {
        echo $label, ': ', get_class($e), ': ', substr($e->getMessage(), 0, 90), "\n";
    }
}

// Integer keys that are not a list make an object with keys "0" and "2": fine where any object
// is (details), refused where the schema closes the object (the envelope itself).
$env = $valid; $env['payload']['details'] = [0 => 'a', 2 => 'b'];
attempt('integer keys with a gap', fn () => $v->validate($env));
$env = $valid; $env[7] = 'x';
attempt('integer key at the top', fn () => array_column($v->validate($env), 'keyword'));

// Objects with magic methods are not read through their magic: they are not JSON data.
$magic = new class { public function __get($n) { return 'leak'; } public function __isset($n) { return true; } };
$env = $valid; $env['payload']['details'] = $magic;
attempt('object with __get', fn () => $v->validate($env));
$env = $valid; $env['meta'] = ['cb' => fn () => 1];
attempt('closure', fn () => $v->validate($env));
attempt('closure as envelope', fn () => $v->validate(fn () => 1));
$env = $valid; $env['meta'] = ['x' => new ArrayObject([1])];
attempt('ArrayObject', fn () => Summary::of($env));

// 100 MB of text: refused by size before any work.
$big = str_repeat('a', 100 * 1024 * 1024);
$env = $valid; $env['payload']['details'] = ['blob' => $big];
attempt('100 MB string in an array', fn () => $v->validate($env));
attempt('100 MB JSON string', fn () => $v->validate('"' . $big . '"'));
attempt('100 MB summary', fn () => Summary::of('"' . $big . '"'));
unset($big, $env);

// Enormous header arrays: every header is looked at, nothing explodes.
$headers = Envelope::headers($valid);
for ($i = 0; $i < 200000; $i++) { $headers["x-other-$i"] = str_repeat('h', 10); }
attempt('200k headers', fn () => $v->validate($valid, $headers));
$headers = array_fill(0, 100000, ['nested' => ['deep']]);
attempt('100k integer-keyed nested headers', fn () => count($v->validate($valid, $headers)));

// Self reference through an object property.
$o = new stdClass; $o->self = $o;
attempt('stdClass that contains itself', fn () => $v->validate($o));
$a = ['x' => 1]; $b = ['a' => &$a]; $a['b'] = &$b;
attempt('mutual references', fn () => Summary::of($a));

// Invalid UTF-8 in a header value is a header violation, not an exception.
$headers = Envelope::headers($valid); $headers['x-phpgrc-kind'] = "auth.provider\xff";
attempt('invalid UTF-8 header', fn () => array_column($v->validate($valid, $headers), 'message'));
echo "alive\n";
?>
--EXPECTF--
integer keys with a gap: 0 violation(s)
integer key at the top: additionalProperties
object with __get: InvalidArgumentException: an object of class class@anonymous is not JSON data%s
closure: InvalidArgumentException: an object of class Closure is not JSON data%s
closure as envelope: InvalidArgumentException: an object of class Closure is not JSON data%s
ArrayObject: InvalidArgumentException: an object of class ArrayObject is not JSON data%s
100 MB string in an array: InvalidArgumentException: the envelope holds more than 16777216 bytes of text%s
100 MB JSON string: InvalidArgumentException: the envelope is 104857602 bytes, over the limit of 16777216 bytes (ini phpgrc_bus.max_%s
100 MB summary: InvalidArgumentException: the envelope is 104857602 bytes, over the limit of 16777216 bytes (ini phpgrc_bus.max_%s
200k headers: 0 violation(s)
100k integer-keyed nested headers: 4
stdClass that contains itself: InvalidArgumentException: the value contains itself (a recursive reference), which has no%s
mutual references: InvalidArgumentException: the value contains itself (a recursive reference), which has no%s
invalid UTF-8 header: header x-phpgrc-kind must be a string, got a string that is not valid UTF-8
alive
--INI--
memory_limit=1G
