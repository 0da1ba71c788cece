package io.analytics.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many WebSocket subscribers of the live hub on one thread, counting the updates they receive without
 * decoding them: they stand for dashboards, whose work happens in browsers elsewhere, yet run on the
 * cores the platform is measured on, so they must cost as little as a client can. A message counts as
 * an update when its first bytes are those of a {@code metrics_update}; the server does the same work
 * for them as for any client (it writes every frame; pings are answered).
 */
public final class HubSubscribers implements AutoCloseable {

    private static final byte[] UPDATE = "{\"type\":\"metrics_update\"".getBytes(US_ASCII);
    private static final int TEXT = 1;
    private static final int CLOSE = 8;
    private static final int PING = 9;
    private static final int PONG = 10;
    /** Connections opened but not yet upgraded: more at once overflow the server's accept backlog. */
    private static final int OPENING = 32;

    private final Selector selector;
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicLong updates = new AtomicLong();
    private final CountDownLatch ready;
    private final int readyAfter;
    private final Thread loop;
    private final InetSocketAddress address;
    private final byte[] handshake;
    private final ByteBuffer subscribe;
    private final int count;
    private volatile IOException failure;

    /**
     * Opens {@code count} connections to {@code uri}, each sending {@code {"subscribe": series}}; a
     * subscriber is ready after {@code readyAfter} updates (its snapshots).
     */
    public HubSubscribers(URI uri, String apiKey, String series, int count, int readyAfter) throws IOException {
        this.selector = Selector.open();
        this.ready = new CountDownLatch(count);
        this.readyAfter = readyAfter;
        this.count = count;
        this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
        this.handshake = handshake(uri, apiKey);
        this.subscribe = frame(TEXT, ("{\"subscribe\": " + series + "}").getBytes(US_ASCII));
        for (int i = 0; i < Math.min(count, OPENING); i++) {
            open();
        }
        this.loop = new Thread(this::run, "hub-subscribers");
        loop.setDaemon(true);
        loop.start();
    }

    /** Waits until every subscriber got its snapshots; false on timeout. */
    public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException, IOException {
        boolean done = ready.await(timeout, unit);
        if (failure != null) {
            throw failure;
        }
        return done;
    }

    public long notReady() {
        return ready.getCount();
    }

    /** Updates received by all subscribers so far. */
    public long updates() {
        return updates.get();
    }

    /** Sends every subscriber's close frame and stops. */
    @Override
    public void close() throws InterruptedException {
        tasks.add(() -> subscribers.forEach(s -> s.send(frame(CLOSE, new byte[0]))));
        tasks.add(() -> loop.interrupt());
        selector.wakeup();
        loop.join(TimeUnit.SECONDS.toMillis(10));
        for (Subscriber subscriber : subscribers) {
            try {
                subscriber.channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                selector.select();
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
                for (SelectionKey key : selector.selectedKeys()) {
                    ((Subscriber) key.attachment()).ready(key);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            failure = e;
            while (ready.getCount() > 0) {
                ready.countDown();
            }
        }
    }

    private void open() throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.connect(address);
        Subscriber subscriber = new Subscriber(channel);
        subscribers.add(subscriber);
        channel.register(selector, SelectionKey.OP_CONNECT, subscriber);
    }

    private static byte[] handshake(URI uri, String apiKey) {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return ("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                + Base64.getEncoder().encodeToString(nonce) + "\r\nX-API-Key: " + apiKey + "\r\n\r\n").getBytes(US_ASCII);
    }

    /** A client frame: final, masked (RFC 6455 5.3). */
    private static ByteBuffer frame(int opcode, byte[] payload) {
        int length = payload.length;
        int extended = length > 0xFFFF ? 8 : length > 125 ? 2 : 0;
        ByteBuffer frame = ByteBuffer.allocate(2 + extended + 4 + length);
        frame.put((byte) (0x80 | opcode));
        frame.put((byte) (0x80 | (extended == 8 ? 127 : extended == 2 ? 126 : length)));
        if (extended == 8) {
            frame.putLong(length);
        } else if (extended == 2) {
            frame.putShort((short) length);
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.put(mask);
        for (int i = 0; i < length; i++) {
            frame.put((byte) (payload[i] ^ mask[i & 3]));
        }
        return frame.flip();
    }

    /** One connection: the handshake, then frames parsed as they arrive, payloads skipped but for their first bytes. */
    private final class Subscriber {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        final Queue<ByteBuffer> out = new ArrayDeque<>();
        boolean upgraded;
        long received;
        /** The frame being read: its opcode, final flag and payload bytes still to come. */
        int opcode;
        boolean fin;
        long remaining;
        /** The current message's opcode and first bytes (as many as {@link #UPDATE} has). */
        int messageOpcode;
        final byte[] start = new byte[UPDATE.length];
        int startLength;
        /** The payload of the control frame being read (at most 125 bytes). */
        final byte[] control = new byte[125];
        int controlLength;

        Subscriber(SocketChannel channel) {
            this.channel = channel;
            out.add(ByteBuffer.wrap(handshake));
        }

        void ready(SelectionKey key) throws IOException {
            if (!key.isValid()) {
                return;
            }
            if (key.isConnectable()) {
                channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                flush();
            }
            if (key.isValid() && key.isWritable()) {
                flush();
            }
            if (key.isValid() && key.isReadable()) {
                read(key);
            }
        }

        void send(ByteBuffer frame) {
            out.add(frame.duplicate());
            try {
                flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void flush() throws IOException {
            if (!channel.isConnected()) {
                return;
            }
            while (!out.isEmpty()) {
                channel.write(out.peek());
                if (out.peek().hasRemaining()) {
                    break;
                }
                out.poll();
            }
            SelectionKey key = channel.keyFor(selector);
            key.interestOps(out.isEmpty() ? SelectionKey.OP_READ : SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }

        private void read(SelectionKey key) throws IOException {
            if (channel.read(in) < 0) {
                key.cancel();
                channel.close();
                return;
            }
            in.flip();
            if (!upgraded && !upgrade()) {
                in.compact();
                return;
            }
            frames();
            in.compact();
        }

        /** Consumes the handshake response once whole; false while it is incomplete. */
        private boolean upgrade() throws IOException {
            String head = US_ASCII.decode(in.duplicate()).toString();
            int end = head.indexOf("\r\n\r\n");
            if (end < 0) {
                return false;
            }
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("WebSocket upgrade refused: " + head.substring(0, head.indexOf('\r')));
            }
            in.position(in.position() + end + 4);
            upgraded = true;
            send(subscribe);
            if (subscribers.size() < count) {
                open();
            }
            return true;
        }

        private void frames() {
            while (true) {
                if (remaining > 0) {
                    int n = (int) Math.min(remaining, in.remaining());
                    keepStart(n);
                    in.position(in.position() + n);
                    remaining -= n;
                    if (remaining > 0) {
                        return;
                    }
                    frameDone();
                } else if (!header()) {
                    return;
                }
            }
        }

        /** Reads a whole frame header if there is one (server frames are not masked); false otherwise. */
        private boolean header() {
            if (in.remaining() < 2) {
                return false;
            }
            int b0 = in.get(in.position()) & 0xFF;
            int length7 = in.get(in.position() + 1) & 0x7F;
            int extended = length7 == 127 ? 8 : length7 == 126 ? 2 : 0;
            if (in.remaining() < 2 + extended) {
                return false;
            }
            in.position(in.position() + 2);
            remaining = extended == 8 ? in.getLong() : extended == 2 ? in.getShort() & 0xFFFF : length7;
            opcode = b0 & 0x0F;
            fin = (b0 & 0x80) != 0;
            if (opcode >= CLOSE) {
                controlLength = 0;
            } else if (opcode != 0) {
                messageOpcode = opcode;
                startLength = 0;
            }
            if (remaining == 0) {
                frameDone();
            }
            return true;
        }

        private void keepStart(int available) {
            if (opcode >= CLOSE) {
                int n = Math.min(available, control.length - controlLength);
                in.get(in.position(), control, controlLength, n);
                controlLength += n;
            } else {
                int n = Math.min(available, start.length - startLength);
                in.get(in.position(), start, startLength, n);
                startLength += n;
            }
        }

        private void frameDone() {
            if (opcode == PING) {
                send(frame(PONG, Arrays.copyOf(control, controlLength)));
            } else if (opcode == CLOSE) {
                send(frame(CLOSE, new byte[0]));
            } else if (opcode < CLOSE && fin && messageOpcode == TEXT
                    && startLength == UPDATE.length && Arrays.equals(start, UPDATE)) {
                updates.incrementAndGet();
                if (++received == readyAfter) {
                    ready.countDown();
                }
            }
        }
    }
}
