# SPDX-License-Identifier: MIT
# AMD SVM backend.
hv-y += entry.o
hv-y += run.o
hv-y += setup.o
hv-y += svm.o
