package io.analytics.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many WebSocket subscribers of the live hub on one thread, counting the updates they receive without
 * decoding them: they stand for dashboards, whose work happens in browsers elsewhere, yet run on the
 * cores the platform is measured on, so they must cost as little as a client can. A message counts as
 * an update when its first bytes are those of a {@code metrics_update} (a {@code metrics_updates} as
 * the updates it lists, found by their first bytes); the server does the same work
 * for them as for any client (it writes every frame; Netty's WebSocket client answers pings).
 */
public final class HubSubscribers implements AutoCloseable {

    private static final ByteBuf UPDATE = ascii("{\"type\":\"metrics_update\",");
    /** A tick's updates in one message, for clients that ask for them so ({@code ?batch=true}). */
    private static final ByteBuf UPDATES = ascii("{\"type\":\"metrics_updates\",");
    /** Connections opened but not yet upgraded: more at once overflow the server's accept backlog. */
    private static final int OPENING = 32;
    /** The largest frame a subscriber takes: Netty's 64 KiB default would fail a subscriber on a large snapshot. */
    private static final int MAX_FRAME = 16 * 1024 * 1024;

    private final EventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("hub-subscribers", true));
    private final ChannelGroup upgraded = new DefaultChannelGroup(loop.next());
    private final AtomicLong updates = new AtomicLong();
    private final CountDownLatch ready;
    private final int readyAfter;
    private final int count;
    private final Bootstrap bootstrap;
    /** Connections opened so far; touched only on the loop's thread. */
    private int opened;
    private volatile Throwable failure;

    /**
     * Opens {@code count} connections to {@code uri}, each sending {@code {"subscribe": series}}; a
     * subscriber is ready after {@code readyAfter} updates (its snapshots).
     */
    public HubSubscribers(URI uri, String apiKey, String series, int count, int readyAfter) {
        this.ready = new CountDownLatch(count);
        this.readyAfter = readyAfter;
        this.count = count;
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .customHeaders(new DefaultHttpHeaders().add("X-API-Key", apiKey))
                .maxFramePayloadLength(MAX_FRAME)
                // Validating every text frame's UTF-8 is the decoding these clients exist to skip.
                .withUTF8Validator(false)
                .build();
        String subscribe = "{\"subscribe\": " + series + "}";
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class).remoteAddress(uri.getHost(), uri.getPort())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(config), new Subscriber(subscribe));
                    }
                });
        loop.execute(() -> {
            for (int i = 0; i < Math.min(count, OPENING); i++) {
                open();
            }
        });
    }

    /** Waits until every subscriber got its snapshots; false on timeout. */
    public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException, IOException {
        boolean done = ready.await(timeout, unit);
        if (failure != null) {
            throw new IOException("hub subscriber failed", failure);
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
        upgraded.writeAndFlush(new CloseWebSocketFrame()).await(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    private void open() {
        opened++;
        bootstrap.connect().addListener(connected -> {
            if (!connected.isSuccess()) {
                fail(connected.cause());
            }
        });
    }

    private void fail(Throwable cause) {
        failure = cause;
        while (ready.getCount() > 0) {
            ready.countDown();
        }
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(text, US_ASCII).asReadOnly());
    }

    private static boolean startsWith(ByteBuf message, int at, ByteBuf prefix) {
        return message.writerIndex() - at >= prefix.readableBytes()
                && ByteBufUtil.equals(message, at, prefix, 0, prefix.readableBytes());
    }

    /**
     * The updates a message's first frame starts: one for a {@code metrics_update}, for a
     * {@code metrics_updates} as many as its list holds (each starts like a {@code metrics_update}; the
     * server sends a message as one frame), none for anything else.
     */
    private static int updatesIn(ByteBuf message) {
        int start = message.readerIndex();
        if (startsWith(message, start, UPDATE)) {
            return 1;
        }
        if (!startsWith(message, start, UPDATES)) {
            return 0;
        }
        int count = 0;
        int brace = message.indexOf(start + UPDATES.readableBytes(), message.writerIndex(), (byte) '{');
        while (brace >= 0) {
            if (startsWith(message, brace, UPDATE)) {
                count++;
            }
            brace = message.indexOf(brace + 1, message.writerIndex(), (byte) '{');
        }
        return count;
    }

    /** One connection once upgraded: subscribes, lets the next connection open, counts the updates. */
    private final class Subscriber extends SimpleChannelInboundHandler<WebSocketFrame> {
        private final String subscribe;
        private long received;
        /** The updates of the text message whose fragments are arriving (told by its first fragment). */
        private int updatesInMessage;

        Subscriber(String subscribe) {
            this.subscribe = subscribe;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                upgraded.add(ctx.channel());
                ctx.writeAndFlush(new TextWebSocketFrame(subscribe));
                if (opened < count) {
                    open();
                }
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame) {
                updatesInMessage = updatesIn(frame.content());
            } else if (!(frame instanceof ContinuationWebSocketFrame)) {
                return;
            }
            if (frame.isFinalFragment() && updatesInMessage > 0) {
                updates.addAndGet(updatesInMessage);
                boolean wasReady = received >= readyAfter;
                received += updatesInMessage;
                if (!wasReady && received >= readyAfter) {
                    ready.countDown();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause);
            ctx.close();
        }
    }
}
