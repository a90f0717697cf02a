/* SPDX-License-Identifier: MIT */
/*
 * Validation against the RELAX NG schema (xml/schema/axvm-domain.rng). The schema is parsed
 * for each load: it is small, and a long-running caller then sees an updated file.
 */
#include <stdio.h>
#include <libxml/relaxng.h>
#include "internal.h"

static int parse_schema(struct loader *ld, const char *schema_path, xmlRelaxNG **out,
                        struct config_error *err)
{
    xmlRelaxNGParserCtxt *pctxt = xmlRelaxNGNewParserCtxt(schema_path);

    ld->has_xml_error = false;
    *out = NULL;
    if (pctxt) {
        xmlRelaxNGSetParserStructuredErrors(pctxt, loader_xml_error, ld);
        *out = xmlRelaxNGParse(pctxt);
        xmlRelaxNGFreeParserCtxt(pctxt);
    }
    if (*out) {
        return 0;
    }
    loader_set_error(err, schema_path, ld->has_xml_error ? ld->xml_error.line : 0,
                     "cannot use this schema: %s",
                     ld->has_xml_error ? ld->xml_error.message : "out of memory");
    return -1;
}

int schema_validate(struct loader *ld, xmlDoc *doc, const char *schema_path,
                    struct config_error *err)
{
    xmlRelaxNG *schema = NULL;
    xmlRelaxNGValidCtxt *vctxt = NULL;
    int rc = -1;

    if (parse_schema(ld, schema_path, &schema, err) < 0) {
        goto out;
    }
    vctxt = xmlRelaxNGNewValidCtxt(schema);
    if (!vctxt) {
        loader_set_error(err, ld->path, 0, "cannot validate: out of memory");
        goto out;
    }
    ld->has_xml_error = false;
    xmlRelaxNGSetValidStructuredErrors(vctxt, loader_xml_error, ld);
    rc = xmlRelaxNGValidateDoc(vctxt, doc) == 0 ? 0 : 1;
    if (rc == 1 && !ld->has_xml_error) {
        ld->has_xml_error = true;
        ld->xml_error.node = NULL;
        ld->xml_error.line = 0;
        snprintf(ld->xml_error.message, sizeof(ld->xml_error.message), "not valid");
    }
out:
    xmlRelaxNGFreeValidCtxt(vctxt);
    xmlRelaxNGFree(schema);
    return rc;
}
