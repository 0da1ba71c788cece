package io.analytics.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpTimeoutException;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 requests over keep-alive connections on a Netty event loop, for load generators that share
 * the cores of the server they measure: the JDK's {@code HttpClient} cost the order generator as much
 * CPU per command as the node spent serving it. One request per connection at a time (no pipelining);
 * a request takes an idle connection, the one used last first, or opens a new one, so the pool grows to
 * the caller's concurrency and no further. Answers complete on the event loop's thread.
 *
 * <p>A request that is not answered within the timeout fails with {@link HttpTimeoutException} and its
 * connection is closed; a refused connection fails with a {@link java.net.ConnectException}; a
 * connection closed before the answer with an {@link IOException}.
 */
final class PooledHttpClient implements AutoCloseable {

    /** An answer: its status code and its whole body. */
    record Reply(int status, byte[] body) {}

    private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("pooled-http-exchange");
    private static final int MAX_BODY = 16 * 1024 * 1024;

    private final EventLoopGroup loop;
    private final Bootstrap bootstrap;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Deque<Channel> idle = new ConcurrentLinkedDeque<>();
    private final String authority;
    private final long timeoutMillis;

    /** The request in flight on a connection, and its timeout. */
    private record Exchange(CompletableFuture<Reply> reply, ScheduledFuture<?> timeout) {}

    PooledHttpClient(URI base, int threads, long timeoutMillis) {
        int port = base.getPort() > 0 ? base.getPort() : 80;
        this.authority = base.getHost() + ":" + port;
        this.timeoutMillis = timeoutMillis;
        this.loop = new NioEventLoopGroup(threads, new DefaultThreadFactory("pooled-http", true));
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .remoteAddress(base.getHost(), port)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channels.add(channel);
                        channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_BODY), new Answers());
                    }
                });
    }

    /** {@code POST path} with a JSON body (none when {@code body} is empty) and the given headers. */
    CompletableFuture<Reply> post(String path, byte[] body, Map<String, String> headers) {
        return send(HttpMethod.POST, path, body, headers);
    }

    /** {@code GET path} with the given headers. */
    CompletableFuture<Reply> get(String path, Map<String, String> headers) {
        return send(HttpMethod.GET, path, new byte[0], headers);
    }

    private CompletableFuture<Reply> send(HttpMethod method, String path, byte[] body, Map<String, String> headers) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, Unpooled.wrappedBuffer(body));
        request.headers().set(HttpHeaderNames.HOST, authority);
        headers.forEach(request.headers()::set);
        if (body.length > 0 || method == HttpMethod.POST) {
            HttpUtil.setContentLength(request, body.length);
        }
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        Channel channel = idleChannel();
        if (channel != null) {
            write(channel, request, reply);
            return reply;
        }
        bootstrap.connect().addListener((ChannelFuture connected) -> {
            if (connected.isSuccess()) {
                write(connected.channel(), request, reply);
            } else {
                request.release();
                reply.completeExceptionally(connected.cause());
            }
        });
        return reply;
    }

    private Channel idleChannel() {
        for (Channel c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    private void write(Channel channel, FullHttpRequest request, CompletableFuture<Reply> reply) {
        ScheduledFuture<?> timeout = channel.eventLoop().schedule(() -> timedOut(channel), timeoutMillis, TimeUnit.MILLISECONDS);
        channel.attr(EXCHANGE).set(new Exchange(reply, timeout));
        channel.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                fail(channel, written.cause());
            }
        });
    }

    private void timedOut(Channel channel) {
        fail(channel, new HttpTimeoutException("no answer within " + timeoutMillis + " ms"));
    }

    /** Fails the connection's request, if it still has one, and closes the connection. */
    private static void fail(Channel channel, Throwable cause) {
        Exchange exchange = channel.attr(EXCHANGE).getAndSet(null);
        channel.close();
        if (exchange != null) {
            exchange.timeout().cancel(false);
            exchange.reply().completeExceptionally(cause);
        }
    }

    @Override
    public void close() throws InterruptedException {
        channels.close().await(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** Completes a connection's request with its answer and puts the connection back for the next one. */
    private final class Answers extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Exchange exchange = ctx.channel().attr(EXCHANGE).getAndSet(null);
            if (exchange == null) {
                ctx.close();
                return;
            }
            exchange.timeout().cancel(false);
            Reply reply = new Reply(response.status().code(), ByteBufUtil.getBytes(response.content()));
            // Back in the pool before the caller hears of it, so its next request reuses this connection.
            if (HttpUtil.isKeepAlive(response)) {
                idle.addFirst(ctx.channel());
            } else {
                ctx.close();
            }
            exchange.reply().complete(reply);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(ctx.channel(), new IOException("the server closed the connection before it answered"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx.channel(), cause);
        }
    }
}
