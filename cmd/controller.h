/* SPDX-License-Identifier: Apache-2.0 */
/* `cevents controller`: the Kubernetes controller (controller/controller.h). */
#ifndef CE_CMD_CONTROLLER_H
#define CE_CMD_CONTROLLER_H

int ce_controller_main(int argc, char **argv);

#endif
