--TEST--
rediss:// with tls_ca: push/pop/ack over TLS; an unknown CA is a QueueException; tls_* options need a TLS connection
--EXTENSIONS--
phpgrc_bus
--SKIPIF--
<?php if (!is_executable('/usr/bin/openssl')) die('skip openssl not installed'); ?>
--FILE--
<?php
$dir = sys_get_temp_dir() . '/phpgrc-bus-phpt-tls-' . getmypid();
@mkdir($dir);
$sh = fn (string $cmd) => exec("cd " . escapeshellarg($dir) . " && $cmd 2>/dev/null");
file_put_contents("$dir/server.cnf", "subjectAltName=IP:127.0.0.1\n");
foreach (['ca', 'other'] as $ca) {
    $sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout $ca.key -out $ca.crt -days 1 -subj /CN=$ca");
}
$sh('openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=server');
$sh('openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 -extfile server.cnf');

$sock = stream_socket_server('tcp://127.0.0.1:0');
$port = (int) substr(strrchr(stream_socket_get_name($sock, false), ':'), 1);
fclose($sock);
exec(sprintf('redis-server --port 0 --tls-port %d --bind 127.0.0.1 --save "" --appendonly no --tls-cert-file %s --tls-key-file %s --tls-ca-cert-file %s --tls-auth-clients no --daemonize yes --pidfile %s',
    $port, "$dir/server.crt", "$dir/server.key", "$dir/ca.crt", "$dir/redis.pid"));
register_shutdown_function(function () use ($dir) {
    for ($i = 0; $i < 50 && !is_file("$dir/redis.pid"); $i++) { usleep(20000); }
    if (is_file("$dir/redis.pid")) { posix_kill((int) file_get_contents("$dir/redis.pid"), SIGTERM); }
    usleep(100000);
    array_map('unlink', glob("$dir/*"));
    @rmdir($dir);
});
usleep(300000);

$run = new PhpGrc\Bus\Run('okta', '1.0.0');
$env = $run->envelope('auth.provider', 'provider.checked',
    ['providerKey' => 'okta', 'status' => 'healthy', 'checkedAt' => '2026-01-01T00:00:00Z'], ['source' => 'okta', 'externalId' => 'p1']);

$q = new PhpGrc\Bus\Queue("rediss://127.0.0.1:$port", ['tls_ca' => "$dir/ca.crt", 'queue' => 'tls']);
$id = $q->push($env);
$job = $q->pop();
echo $job->id() === $id ? "pushed and popped over TLS\n" : "wrong job\n";
$q->ack($job);
echo 'size ', $q->size(), "\n";

$array = new PhpGrc\Bus\Queue(['scheme' => 'tls', 'host' => '127.0.0.1', 'port' => $port], ['tls_ca' => "$dir/ca.crt"]);
echo 'array config size ', $array->size(), "\n";

try {
    (new PhpGrc\Bus\Queue("rediss://127.0.0.1:$port", ['tls_ca' => "$dir/other.crt"]))->size();
} catch (PhpGrc\Bus\QueueException $e) {
    echo "unknown CA: QueueException, mentions the handshake: ", var_export(str_contains($e->getMessage(), 'handshake'), true), "\n";
}
try {
    new PhpGrc\Bus\Queue("redis://127.0.0.1:$port", ['tls_ca' => "$dir/ca.crt"]);
} catch (InvalidArgumentException $e) {
    echo $e->getMessage(), "\n";
}
?>
--EXPECT--
pushed and popped over TLS
size 0
array config size 0
unknown CA: QueueException, mentions the handshake: true
Queue option 'tls_ca' needs a TLS connection (rediss://… or 'scheme' => 'tls')
