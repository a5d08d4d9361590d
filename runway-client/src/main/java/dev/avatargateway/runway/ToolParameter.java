package dev.avatargateway.runway;

import java.util.List;
import java.util.Objects;

/**
 * One parameter of a {@link Tool} (runway-api.md §2.1.2). Every parameter has a name (1-64
 * characters, same pattern as tool names), a description (1-1024) and {@code required} (the
 * upstream's default is true; this library always sends it explicitly).
 */
public sealed interface ToolParameter {
  /** The parameter name. */
  String name();

  /** What the parameter means, for the model. */
  String description();

  /** Whether the model must supply it. */
  boolean required();

  /** A required string parameter. */
  static StringParam string(String name, String description) {
    return new StringParam(name, description, true, List.of());
  }

  /** A required integer parameter. */
  static IntegerParam integer(String name, String description) {
    return new IntegerParam(name, description, true);
  }

  /** A required number parameter. */
  static NumberParam number(String name, String description) {
    return new NumberParam(name, description, true);
  }

  /** A required boolean parameter. */
  static BooleanParam bool(String name, String description) {
    return new BooleanParam(name, description, true);
  }

  /** A required array parameter whose items have the given type. */
  static ArrayParam array(String name, String description, ArrayParam.ItemType itemType) {
    return new ArrayParam(name, description, true, itemType);
  }

  /**
   * A string, optionally restricted to an enumeration.
   *
   * @param enumValues allowed values (at most 20, each at most 64 characters); empty for any
   */
  record StringParam(String name, String description, boolean required, List<String> enumValues)
      implements ToolParameter {
    /** Copies the enumeration; rejects nulls. */
    public StringParam {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      enumValues = List.copyOf(enumValues);
    }

    /** A copy restricted to these values. */
    public StringParam withEnum(String... values) {
      return new StringParam(name, description, required, List.of(values));
    }

    /** An optional copy. */
    public StringParam optional() {
      return new StringParam(name, description, false, enumValues);
    }
  }

  /** An integer. */
  record IntegerParam(String name, String description, boolean required) implements ToolParameter {
    /** Rejects nulls. */
    public IntegerParam {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
    }
  }

  /** A number. */
  record NumberParam(String name, String description, boolean required) implements ToolParameter {
    /** Rejects nulls. */
    public NumberParam {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
    }
  }

  /** A boolean. */
  record BooleanParam(String name, String description, boolean required) implements ToolParameter {
    /** Rejects nulls. */
    public BooleanParam {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
    }
  }

  /**
   * An array of scalars.
   *
   * @param itemType the type of every item
   */
  record ArrayParam(String name, String description, boolean required, ItemType itemType)
      implements ToolParameter {
    /** Rejects nulls. */
    public ArrayParam {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      Objects.requireNonNull(itemType, "itemType");
    }

    /** The item types the API allows. */
    public enum ItemType {
      STRING,
      INTEGER,
      NUMBER,
      BOOLEAN
    }
  }

  /**
   * An object. The API leaves the schema of each property unconstrained ({@code items: {}}), so
   * properties are plain JSON values: maps, lists, strings, numbers, booleans.
   *
   * @param properties at most 20 entries, each serialized as JSON as given
   */
  record ObjectParam(String name, String description, boolean required, List<Object> properties)
      implements ToolParameter {
    /** Copies the properties; rejects nulls. */
    public ObjectParam {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(description, "description");
      properties = List.copyOf(properties);
    }
  }
}
