/* SPDX-License-Identifier: Apache-2.0 */
/* What a Sensor's manifest embeds, compiled as the Sensor compiles it at start: each
 * dependency's transform and filters (values, regular expressions, templates, expressions,
 * scripts) and each trigger's parameter lists. `cevents sensor` refuses to start on a finding,
 * `cevents lint` reports it; both through this one check. */
#ifndef CE_SENSOR_CHECK_H
#define CE_SENSOR_CHECK_H

struct ce_diag;
struct ce_sensor;

/* Adds an error to diag (at the dependency's or trigger's place) for everything that does not
 * compile. CE_OK when nothing was found, else CE_EINVAL. */
int ce_sensor_check_embedded(const struct ce_sensor *s, struct ce_diag *diag);

#endif
