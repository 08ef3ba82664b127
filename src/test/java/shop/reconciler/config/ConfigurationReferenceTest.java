package shop.reconciler.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * jobs/configuration.md, the operators' key reference, agrees with the keys the jar declares: the
 * {@code spring-configuration-metadata.json} that the configuration processor writes from the
 * properties records (their {@code @DefaultValue}s and {@code @param} Javadoc), plus
 * {@code META-INF/additional-spring-configuration-metadata.json} for a key read without a record.
 */
class ConfigurationReferenceTest {

    private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");
    private static final Path REFERENCE = Path.of("jobs/configuration.md");

    /** A row of the key table: {@code | `key` | default | meaning |}. */
    private static final Pattern ROW = Pattern.compile("^\\| `(reconciler\\.[^`]+)` \\| (.*?) \\| (.*) \\|$");

    /** How the processor writes a list's {@code @DefaultValue}. */
    private static final Pattern LIST = Pattern.compile("\\[(.*)]");

    /** The first code span of a cell. */
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    @Test
    void documentsEveryKeyOfTheJarAndNoOther() throws IOException {
        // given
        Set<String> declared = declared().keySet();

        // when
        Set<String> documented = documented().keySet();

        // then
        assertThat(documented)
                .describedAs("keys in %s missing from the jar's metadata", REFERENCE)
                .isSubsetOf(declared);
        assertThat(declared)
                .describedAs("keys of the jar without a row in %s", REFERENCE)
                .isSubsetOf(documented);
    }

    @Test
    void documentsEachKeysDefaultAsTheJarHasIt() throws IOException {
        // given
        Map<String, JsonNode> declared = declared();
        Map<String, Row> documented = documented();

        for (Map.Entry<String, JsonNode> key : declared.entrySet()) {
            Row row = documented.get(key.getKey());
            if (row == null) {
                continue; // the test above names it
            }
            JsonNode defaultValue = key.getValue().get("defaultValue");

            // when
            Matcher code = CODE.matcher(row.defaultValue());

            // then
            if (defaultValue == null) {
                assertThat(row.defaultValue())
                        .describedAs(
                                "%s has no default in the metadata: its row says in words what applies", key.getKey())
                        .isNotBlank();
            } else if (text(defaultValue).isEmpty()) {
                assertThat(row.defaultValue())
                        .describedAs("%s's default is empty: its row says (empty)", key.getKey())
                        .startsWith("(empty)");
            } else {
                assertThat(code.lookingAt())
                        .describedAs("%s's default cell starts with its value in backquotes: %s", key.getKey(), row)
                        .isTrue();
                assertThat(code.group(1))
                        .describedAs("%s's default", key.getKey())
                        .isEqualTo(text(defaultValue));
            }
        }
    }

    @Test
    void describesEveryKeyInTheMetadata() throws IOException {
        // when
        Map<String, JsonNode> declared = declared();

        // then
        for (Map.Entry<String, JsonNode> key : declared.entrySet()) {
            JsonNode description = key.getValue().get("description");
            assertThat(description == null ? "" : description.asString())
                    .describedAs("the description of %s (the @param Javadoc of its record component)", key.getKey())
                    .isNotBlank();
        }
    }

    /** The {@code reconciler.*} properties of the metadata, by name. */
    private static Map<String, JsonNode> declared() throws IOException {
        assertThat(METADATA)
                .describedAs("written by spring-boot-configuration-processor when the main code compiles")
                .exists();
        JsonNode properties = JsonMapper.shared().readTree(METADATA.toFile()).get("properties");
        return StreamSupport.stream(properties.spliterator(), false)
                .filter(property -> property.get("name").asString().startsWith("reconciler."))
                .collect(Collectors.toMap(
                        property -> property.get("name").asString(), property -> property, (a, b) -> a, TreeMap::new));
    }

    private static Map<String, Row> documented() throws IOException {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(REFERENCE)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                Row previous = rows.put(row.group(1), new Row(row.group(1), row.group(2), row.group(3)));
                assertThat(previous)
                        .describedAs("%s documented twice", row.group(1))
                        .isNull();
            }
        }
        assertThat(rows).describedAs("rows of the key table in %s", REFERENCE).isNotEmpty();
        return rows;
    }

    /**
     * A default as the table writes it, as one would set it: a list comma-separated (the metadata
     * has {@code "[completed, failed]"}), a number without a needless ".0".
     */
    private static String text(JsonNode value) {
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false)
                    .map(JsonNode::asString)
                    .collect(Collectors.joining(","));
        }
        Matcher list = LIST.matcher(value.asString());
        if (value.isString() && list.matches()) {
            return list.group(1).replace(", ", ",");
        }
        if (value.isFloatingPointNumber() && value.asDouble() == Math.rint(value.asDouble())) {
            return String.valueOf((long) value.asDouble());
        }
        return value.asString();
    }

    private record Row(String key, String defaultValue, String meaning) {}
}
