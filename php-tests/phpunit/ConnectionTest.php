<?php

declare(strict_types=1);

namespace PhpGrc\Bus\Tests;

use PhpGrc\Bus\Queue;
use PhpGrc\Bus\QueueException;
use PhpGrc\Bus\ReservedJob;
use PhpGrc\Bus\Tests\Support\Envelopes;
use PhpGrc\Bus\Tests\Support\QueueTestCase;
use Throwable;

/** Issue 4 item 1 / issue 7: connection settings, authentication, secrets, timeouts and reconnection. */
final class ConnectionTest extends QueueTestCase
{
    private const PASSWORD = 'C0rrect-Horse-Battery';
    private const WRONG_PASSWORD = 'Wr0ng-S3cret-Pw-9f41';

    /** A Laravel-style connection array with a password (server started with --requirepass), database and prefix. */
    public function testALaravelStyleArrayConnectionWithPasswordWorks(): void
    {
        $server = $this->startServer(['requirepass' => self::PASSWORD]);
        $connection = $server->connection(['database' => '3', 'prefix' => 'app_db3:', 'timeout' => 2, 'read_timeout' => 2.5, 'username' => null]);
        $queue = new Queue($connection);
        $id = self::roundTrip($queue, 'i-password');

        $raw = $server->client();
        $raw->select(3);
        $queue->push(Envelopes::asset('i-password-2'));
        self::assertSame(1, $raw->lLen('app_db3:queues:integration-bus'), 'keys live in database 3 under the prefix');
        $raw->select(0);
        self::assertSame(0, $raw->dbSize(), 'nothing in database 0');

        foreach ([print_r($queue, true), var_export($queue->__debugInfo(), true), json_encode($queue->stats())] as $shown) {
            self::assertStringNotContainsString(self::PASSWORD, $shown);
        }
        self::assertIsString($id);
    }

    /** An ACL user (ACL SETUSER) with a key pattern, as an array connection and as a URL with a percent-encoded password. */
    public function testAnAclUserAuthenticatesAndItsKeyPatternIsEnforced(): void
    {
        $password = 'p@ss:w/rd%-acl';
        $admin = $this->raw();
        self::assertTrue($admin->rawCommand('ACL', 'SETUSER', 'bus-worker', 'reset', 'on', '>' . $password, '~acl_ok:*', '+@all'));

        $array = new Queue($this->server->connection(['username' => 'bus-worker', 'password' => $password, 'prefix' => 'acl_ok:']));
        self::roundTrip($array, 'i-acl-array');
        $url = new Queue('redis://bus-worker:' . rawurlencode($password) . "@127.0.0.1:{$this->server->port}/0?prefix=acl_ok%3A");
        self::roundTrip($url, 'i-acl-url');
        $keys = $admin->keys('*');
        self::assertNotEmpty($keys);
        foreach ($keys as $key) {
            self::assertStringStartsWith('acl_ok:', $key, 'only keys under the allowed prefix were written');
        }

        $outside = new Queue($this->server->connection(['username' => 'bus-worker', 'password' => $password, 'prefix' => 'forbidden:']));
        $e = self::thrown(static fn () => $outside->push(Envelopes::asset('i-acl-denied')));
        self::assertInstanceOf(QueueException::class, $e, 'the ACL key pattern is enforced for this user');
        self::assertStringNotContainsString($password, $e->getMessage());
    }

    /** A unix socket (redis-server --unixsocket): as a path, a unix:// URL and a Laravel array (host = the path). */
    public function testAUnixSocketConnectionWorks(): void
    {
        $server = $this->startServer(['unixsocket' => true]);
        $socket = (string) $server->socket;
        self::assertFileExists($socket);
        foreach ([$socket, 'unix://' . $socket, ['host' => $socket, 'port' => 0, 'database' => 0, 'prefix' => 'sock:']] as $i => $connection) {
            $queue = new Queue($connection);
            self::roundTrip($queue, "i-unix-{$i}");
        }
        $queue = new Queue(['host' => $socket, 'port' => 0, 'prefix' => 'sock:']);
        $queue->push(Envelopes::asset('i-unix-seen-over-tcp'));
        self::assertSame(1, $server->client()->lLen('sock:queues:integration-bus'), 'the same server, seen over TCP');
    }

    /** A wrong password gives a QueueException whose message (and trace) never contains the password. */
    public function testAWrongPasswordThrowsAQueueExceptionThatDoesNotContainThePassword(): void
    {
        $server = $this->startServer(['requirepass' => self::PASSWORD]);
        $attempts = [
            'array' => $server->connection(['password' => self::WRONG_PASSWORD]),
            'url' => 'redis://:' . self::WRONG_PASSWORD . "@127.0.0.1:{$server->port}/0",
            'url with user' => 'redis://default:' . self::WRONG_PASSWORD . "@127.0.0.1:{$server->port}/0",
            'query' => "redis://127.0.0.1:{$server->port}/0?password=" . self::WRONG_PASSWORD,
            'acl user' => $server->connection(['username' => 'nobody', 'password' => self::WRONG_PASSWORD]),
        ];
        foreach ($attempts as $what => $connection) {
            $queue = new Queue($connection);
            $e = self::thrown(static fn () => $queue->push(Envelopes::asset('i-wrong')));
            self::assertInstanceOf(QueueException::class, $e, $what);
            foreach ([$e->getMessage(), (string) $e, print_r($queue, true)] as $text) {
                self::assertStringNotContainsString(self::WRONG_PASSWORD, $text, $what);
                self::assertStringNotContainsString(self::PASSWORD, $text, $what);
            }
        }
        $none = new Queue($server->connection(['password' => null]));
        self::assertInstanceOf(QueueException::class, self::thrown(static fn () => $none->size()), 'no password at all');
        self::assertSame(0, (new Queue($server->connection()))->size(), 'the right one works');
    }

    /** A stalled server (SIGSTOP) makes a call fail within read_timeout with QueueException; after SIGCONT the same object works, with no stale reply read. */
    public function testAStalledServerFailsWithinTheReadTimeoutAndTheSameObjectWorksAfterSigcont(): void
    {
        $queue = new Queue($this->server->connection(['read_timeout' => '1', 'prefix' => self::PREFIX]));
        $before = $queue->push(Envelopes::asset('i-before-stall'));

        $this->server->suspend();
        try {
            foreach (['open connection' => static fn () => $queue->stats(), 'fresh connection' => static fn () => $queue->size()] as $what => $call) {
                $started = microtime(true);
                $e = self::thrown($call);
                $elapsed = microtime(true) - $started;
                self::assertInstanceOf(QueueException::class, $e, $what);
                self::assertLessThan(2.5, $elapsed, "{$what}: failed within read_timeout (1 s), took {$elapsed} s");
                self::assertGreaterThan(0.8, $elapsed, "{$what}: it did wait for the reply");
            }
            $optionQueue = new Queue($this->server->connection(['read_timeout' => '0', 'prefix' => self::PREFIX]), ['read_timeout' => 1]);
            $started = microtime(true);
            self::assertInstanceOf(QueueException::class, self::thrown(static fn () => $optionQueue->size()), 'the read_timeout option');
            self::assertLessThan(2.5, microtime(true) - $started);
        } finally {
            $this->server->resume();
        }

        // The stalled server now answers the old requests on the old sockets; the queue must not read them.
        $after = $queue->push(Envelopes::asset('i-after-stall'));
        self::assertIsString($after);
        self::assertNotSame($before, $after);
        $first = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $first);
        self::assertSame($before, $first->id());
        $queue->ack($first);
        $second = $queue->pop();
        self::assertSame($after, $second->id());
        $queue->ack($second);
        self::assertSame(0, $queue->size());
    }

    /** A server restart: while it is down a call fails fast with QueueException; once it is back the same object reconnects by itself (AOF keeps the job). */
    public function testTheSameObjectReconnectsByItselfAfterAServerRestart(): void
    {
        $server = $this->startServer(['aof' => true]);
        $queue = new Queue($server->connection(['prefix' => self::PREFIX]));
        $id = $queue->push(Envelopes::asset('i-restart'));

        $server->restart();
        self::assertSame(1, $queue->size(), 'the first call after the restart succeeds');
        $job = $queue->pop();
        self::assertSame($id, $job->id());
        $queue->ack($job);

        $server->shutdown();
        $started = microtime(true);
        $e = self::thrown(static fn () => $queue->size());
        self::assertInstanceOf(QueueException::class, $e, 'server down');
        self::assertLessThan(5.0, microtime(true) - $started, 'bounded retries');
        $server->startAgain();
        self::assertSame(0, $queue->size(), 'and back again');
        $id = $queue->push(Envelopes::asset('i-restart-2'));
        self::assertSame($id, $queue->pop()->id());
    }

    /** push, pop (the same job), ack, on one queue object. */
    private static function roundTrip(Queue $queue, string $externalId): string
    {
        $id = $queue->push(Envelopes::asset($externalId));
        $job = $queue->pop();
        self::assertInstanceOf(ReservedJob::class, $job, $externalId);
        self::assertSame($id, $job->id());
        $queue->ack($job);
        self::assertSame(0, $queue->size());

        return $id;
    }

    private static function thrown(callable $call): ?Throwable
    {
        try {
            $call();
        } catch (Throwable $e) {
            return $e;
        }

        return null;
    }
}
