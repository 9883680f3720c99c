/* Test tool: reads JSON on stdin and prints the value at a path such as ".points[3].weights.SPY"
 * (numbers with %.17g, strings raw, null as "null", objects/arrays as compact JSON).
 * Exit 1 if the input is not JSON or the path does not exist: the CLI tests use it to check that
 * the command prints valid JSON with the documented keys. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: json_get PATH < file.json\n");
        return 2;
    }
    json_error_t e;
    json_t *root = json_loadf(stdin, 0, &e);
    if (!root) {
        fprintf(stderr, "json_get: not JSON: line %d: %s\n", e.line, e.text);
        return 1;
    }
    json_t *v = root;
    const char *p = argv[1];
    while (*p && v) {
        if (*p == '.') {
            p++;
            size_t len = strcspn(p, ".[");
            char key[256];
            if (len == 0 || len >= sizeof key) break;
            memcpy(key, p, len);
            key[len] = '\0';
            v = json_object_get(v, key);
            p += len;
        } else if (*p == '[') {
            char *end;
            long i = strtol(p + 1, &end, 10);
            if (*end != ']') { v = NULL; break; }
            v = json_array_get(v, (size_t)i);
            p = end + 1;
        } else {
            v = NULL;
        }
    }
    if (!v) {
        fprintf(stderr, "json_get: no value at %s\n", argv[1]);
        json_decref(root);
        return 1;
    }
    if (json_is_number(v)) printf("%.17g\n", json_number_value(v));
    else if (json_is_string(v)) printf("%s\n", json_string_value(v));
    else if (json_is_null(v)) printf("null\n");
    else if (json_is_true(v)) printf("true\n");
    else if (json_is_false(v)) printf("false\n");
    else {
        char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", s ? s : "");
        free(s);
    }
    json_decref(root);
    return 0;
}
