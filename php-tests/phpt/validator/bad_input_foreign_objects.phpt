--TEST--
Bad input: objects other than stdClass (ArrayObject, DateTime, Closure, JsonSerializable, enum) as the envelope or inside it are an InvalidArgumentException naming the class
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/validator.inc';
$validator = new PhpGrc\Bus\Validator();

final class EnvelopeLike implements JsonSerializable
{
    public function jsonSerialize(): mixed { return ['kind' => 'asset.discovery']; }
}
enum Priority: string { case High = 'high'; }

echo "as the envelope:\n";
outcome(fn () => $validator->validate(new ArrayObject(fixture('asset.discovery'))));
outcome(fn () => $validator->validate(new DateTime('2026-03-14T10:00:00Z')));
outcome(fn () => $validator->validate(fn () => fixture('asset.discovery')));
outcome(fn () => $validator->validate(new EnvelopeLike()));
outcome(fn () => $validator->isValid(new ArrayObject([])));
outcome(fn () => $validator->assertValid(new DateTimeImmutable()));

echo "inside an array envelope:\n";
foreach ([
    'ArrayObject' => new ArrayObject(['a' => 1]),
    'DateTime' => new DateTime('2026-03-14T10:00:00Z'),
    'Closure' => fn () => 1,
    'EnvelopeLike' => new EnvelopeLike(),
    'Priority' => Priority::High,
] as $class => $object) {
    $e = fixture('asset.discovery');
    $e['meta']['value'] = $object;
    outcome(fn () => $validator->validate($e));
}
echo "inside a stdClass tree:\n";
$o = json_decode(fixture_json('asset.discovery'));
$o->payload->attributes->launchedAt = new DateTimeImmutable('2026-01-07T08:15:00Z');
outcome(fn () => $validator->validate($o));
?>
--EXPECTF--
as the envelope:
InvalidArgumentException: %SArrayObject%S
InvalidArgumentException: %SDateTime%S
InvalidArgumentException: %SClosure%S
InvalidArgumentException: %SEnvelopeLike%S
InvalidArgumentException: %SArrayObject%S
InvalidArgumentException: %SDateTimeImmutable%S
inside an array envelope:
InvalidArgumentException: %SArrayObject%S
InvalidArgumentException: %SDateTime%S
InvalidArgumentException: %SClosure%S
InvalidArgumentException: %SEnvelopeLike%S
InvalidArgumentException: %SPriority%S
inside a stdClass tree:
InvalidArgumentException: %SDateTimeImmutable%S
