# SPDX-License-Identifier: MIT
# AMD SVM backend.
hv-y += svm.o
