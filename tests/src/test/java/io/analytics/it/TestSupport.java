package io.analytics.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers the integration tests share. */
final class TestSupport {

    private TestSupport() {}

    /** A call that may throw, for use where only unchecked exceptions may escape (lambdas of futures). */
    interface Call<T> {
        T call() throws Exception;
    }

    static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The {@code ./analytics} launcher at the top of the repository the tests run in. */
    static Path launcher() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isExecutable(dir.resolve("analytics"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the ./analytics launcher above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir.resolve("analytics");
    }

    /** Closes each resource that was started (null: never started), in order; every one is tried. */
    static void closeAll(AutoCloseable... resources) throws Exception {
        Exception first = null;
        for (AutoCloseable resource : resources) {
            try {
                if (resource != null) {
                    resource.close();
                }
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
