package io.analytics.ingest;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Unmaps a mapped file now rather than when the collector gets to its buffer, as Kafka does for its
 * index files: Java has no public way to, so this goes through {@code sun.misc.Unsafe.invokeCleaner},
 * which the JDK keeps open for the purpose. Where that is missing the mapping is left to the collector.
 */
final class Unmapper {

    private static final Logger log = LoggerFactory.getLogger(Unmapper.class);
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private Unmapper() {}

    /** Nothing may read the buffer afterwards, or the process crashes. */
    static void unmap(MappedByteBuffer mapping) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) mapping);
        } catch (Throwable e) {
            log.warn("Could not unmap a dedupe file; the collector will", e);
        }
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(theUnsafe.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Mapped dedupe files will be unmapped by the collector only: {}", e.toString());
            return null;
        }
    }
}
