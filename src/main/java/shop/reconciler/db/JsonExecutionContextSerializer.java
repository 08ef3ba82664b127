package shop.reconciler.db;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import org.springframework.batch.core.repository.ExecutionContextSerializer;
import org.springframework.batch.core.repository.dao.DefaultExecutionContextSerializer;
import org.springframework.batch.core.repository.dao.JacksonExecutionContextStringSerializer;

/**
 * The execution contexts of the job repository as JSON, so that SQL reads them
 * ({@code JSON_VALUE(SHORT_CONTEXT, '$."reconcile.completed"[1]')}), while an execution written
 * by 0.6.0 stays restartable after the upgrade.
 *
 * <ol>
 *   <li>Writes with Spring Batch's {@link JacksonExecutionContextStringSerializer}: a JSON object
 *       whose {@code long} values carry their type, {@code ["java.lang.Long", 42]}.
 *   <li>Reads a context that starts with {@code {} with it too; any other context is one that
 *       0.6.0 wrote with Spring Batch's default, Java serialisation in base64 ({@code rO0AB...}),
 *       and is read with {@link DefaultExecutionContextSerializer}. Such a context is written back
 *       as JSON with the next chunk that commits.
 * </ol>
 */
public final class JsonExecutionContextSerializer implements ExecutionContextSerializer {

    private final ExecutionContextSerializer json = new JacksonExecutionContextStringSerializer();
    private final ExecutionContextSerializer javaSerialized = new DefaultExecutionContextSerializer();

    @Override
    public void serialize(Map<String, Object> context, OutputStream out) throws IOException {
        json.serialize(context, out);
    }

    @Override
    public Map<String, Object> deserialize(InputStream in) throws IOException {
        byte[] stored = in.readAllBytes();
        ExecutionContextSerializer reader = isJson(stored) ? json : javaSerialized;
        return reader.deserialize(new ByteArrayInputStream(stored));
    }

    static boolean isJson(byte[] stored) {
        for (byte b : stored) {
            if (!Character.isWhitespace(b)) {
                return b == '{';
            }
        }
        return false;
    }
}
