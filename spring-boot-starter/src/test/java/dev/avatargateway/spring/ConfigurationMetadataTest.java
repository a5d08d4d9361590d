package dev.avatargateway.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The generated configuration metadata (what IDEs complete {@code application.properties} from)
 * names every property the starter binds, each with a description, and nothing it does not bind.
 * The processor alone cannot: it reads no Javadoc of gateway-core's compiled records and skips the
 * components of records with a second constructor, so {@code
 * META-INF/additional-spring-configuration-metadata.json} completes it, and this test keeps the two
 * from drifting as settings are added.
 */
class ConfigurationMetadataTest {
  private static final String PREFIX = "avatar-gateway";
  private static final String GATEWAY_PACKAGE = "dev.avatargateway";

  /** The starter's own properties, read beside the records (no component of theirs). */
  private static final List<String> READ_BESIDES =
      List.of(
          AvatarGatewayAutoConfiguration.ADMIN_AUTHORITY,
          AvatarGatewayAutoConfiguration.SPRING_SECURITY_ONLY);

  private static final Map<String, JsonNode> METADATA = new TreeMap<>();

  @BeforeAll
  static void readMetadata() throws IOException {
    try (InputStream in =
        ConfigurationMetadataTest.class
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("the generated metadata on the class path").isNotNull();
      JsonNode root = JsonMapper.builder().build().readTree(in);
      for (JsonNode property : root.path("properties")) {
        METADATA.put(property.path("name").asString(), property);
      }
    }
  }

  @Test
  void everyBoundPropertyHasMetadataWithADescription() {
    Set<String> bound = bound();

    assertThat(bound).as("the walk found the settings").hasSizeGreaterThan(80);
    assertThat(bound).allSatisfy(name -> assertThat(METADATA).as(name).containsKey(name));
    assertThat(bound)
        .allSatisfy(
            name ->
                assertThat(METADATA.get(name).path("description").asString(""))
                    .as("description of " + name)
                    .isNotBlank());
  }

  @Test
  void noMetadataNamesAPropertyThatIsNotBound() {
    Set<String> bound = bound();

    // The processor lists a record it could not look into (SessionTemplate) as one value; its
    // components are listed besides, from the additional file.
    assertThat(METADATA.keySet())
        .filteredOn(
            name -> !METADATA.get(name).path("type").asString("").startsWith(GATEWAY_PACKAGE))
        .isSubsetOf(bound);
  }

  /** Every property the starter reads. */
  private static Set<String> bound() {
    Set<String> bound = new TreeSet<>();
    collect(PREFIX, AvatarGatewayProperties.class, bound);
    collect("runway", RunwayProperties.class, bound);
    bound.addAll(READ_BESIDES);
    return bound;
  }

  /**
   * The leaf properties of a settings record, as the starter's binder reads them: every component
   * of the canonical constructor, in kebab case; a component that is itself one of the project's
   * records is a group; lists and maps of anything are one property (indexed in the file).
   */
  private static void collect(String path, Class<?> type, Set<String> into) {
    for (RecordComponent component : type.getRecordComponents()) {
      String name = path + "." + kebab(component.getName());
      Class<?> componentType = component.getType();
      if (componentType.isRecord() && componentType.getName().startsWith(GATEWAY_PACKAGE)) {
        collect(name, componentType, into);
      } else {
        into.add(name);
      }
    }
  }

  private static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
