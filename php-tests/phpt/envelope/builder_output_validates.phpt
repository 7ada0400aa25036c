--TEST--
Builders: every envelope a builder returns passes strict validation with its headers, as an array, as its json_encode() string and as a stdClass tree (all 7 kinds, generated inputs)
--EXTENSIONS--
phpgrc_bus
--FILE--
<?php
require __DIR__ . '/envelope.inc';
use PhpGrc\Bus\{Envelope, Run, Validator};

mt_srand(20260314);
$strict = new Validator(null, ['strict' => true]);
$run = new Run('generated-connector', '2025.10.0');
$failures = 0;
foreach (KINDS as $kind) {
    $stats = ['built' => 0, 'array' => 0, 'json' => 0, 'object' => 0, 'with []' => 0];
    for ($i = 0; $i < 60; $i++) {
        $payload = gen_payload($kind);
        $provenance = gen_provenance();
        $options = gen_options();
        $env = $run->envelope($kind, EVENTS[$kind], $payload, $provenance, $options);
        $stats['built']++;
        $stats['with []'] += has_empty_array([$payload, $options]) ? 1 : 0;
        $headers = Envelope::headers($env);
        $forms = [
            'array' => [$env, $headers],
            'json' => [json_encode($env, JSON_THROW_ON_ERROR), $headers],
            'object' => [json_decode(json_encode($env, JSON_THROW_ON_ERROR)), $headers],
        ];
        foreach ($forms as $form => [$input, $h]) {
            $violations = $strict->validate($input, $h);
            if ($violations === []) {
                $stats[$form]++;
            } elseif ($failures++ < 5) {
                echo "$kind #$i as $form:\n";
                show($violations);
            }
        }
    }
    // Enough of the generated inputs hold [] for object members that the case is exercised.
    $stats['with []'] = $stats['with []'] >= 10 ? 'yes' : "too few ({$stats['with []']})";
    echo str_pad($kind, 17), json_encode($stats), "\n";
}
?>
--EXPECT--
asset.discovery  {"built":60,"array":60,"json":60,"object":60,"with []":"yes"}
asset.lifecycle  {"built":60,"array":60,"json":60,"object":60,"with []":"yes"}
incident.event   {"built":60,"array":60,"json":60,"object":60,"with []":"yes"}
vendor.profile   {"built":60,"array":60,"json":60,"object":60,"with []":"yes"}
indicator.metric {"built":60,"array":60,"json":60,"object":60,"with []":"yes"}
cyber.metric     {"built":60,"array":60,"json":60,"object":60,"with []":"yes"}
auth.provider    {"built":60,"array":60,"json":60,"object":60,"with []":"yes"}
